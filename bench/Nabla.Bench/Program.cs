using Nabla.Bench;

// Usage: Nabla.Bench <mode> [options]. Each mode lives in its own file.
var modes = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["gemm"] = GemmBench.Run,
    ["compare"] = CompareBench.Run,
    ["conv"] = ConvBench.Run,
    ["soak"] = SoakBench.Run,
    ["train"] = TrainStepBench.Run,
    ["kernels"] = KernelBench.Run,
    ["onnx"] = OnnxBench.Run,
    ["isa"] = IsaInfo.Run,
    ["allreduce"] = AllReduceBench.Run,
    ["overlap"] = OverlapBench.Run,
    ["peak"] = PeakBench.Run,
};

if (args.Length == 0 || !modes.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Nabla.Bench <mode> [options]; modes: {string.Join(", ", modes.Keys)}");
    return 2;
}
return run(args[1..]);
