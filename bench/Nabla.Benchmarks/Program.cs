// BenchmarkDotNet micro-benchmarks: `dotnet run -c Release --project bench/Nabla.Benchmarks -- --filter '*'`.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Nabla.Benchmarks.AutogradOverhead).Assembly).Run(args);
