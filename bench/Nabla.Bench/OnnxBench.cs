using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;
using OnnxIO = Nabla.Onnx.Onnx;

namespace Nabla.Bench;

/// <summary>
/// Inference of the zoo MLP and LeNet-5 exported to ONNX: ONNX Runtime running the file beside Nabla running the same
/// model natively and the file imported with Onnx.Load, interleaved, 1 and 2 threads each side: batch-1000 throughput
/// and single-sample latency (median). Prints a markdown table; ratio = Nabla time / ONNX Runtime time (below 1: Nabla faster).
/// Usage: Nabla.Bench onnx [--threads "1 2"] [--reps N] [--seconds S]
/// </summary>
public static class OnnxBench
{
    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 3;
        double seconds = 2.0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threadCounts = args[++i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray(); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        var data = Mnist.Load();
        string dir = Directory.CreateTempSubdirectory("nabla-onnx-bench").FullName;
        Console.WriteLine($"# ONNX Runtime {OrtEnv.Instance().GetVersionString()} beside Nabla; " +
                          $"{IsaInfo.CpuModel()}; Nabla: {IsaInfo.Describe()}; medians of {reps} interleaved repetitions");
        Console.WriteLine();
        Console.WriteLine("| model | threads | metric | Nabla | Nabla (imported .onnx) | ONNX Runtime | ratio Nabla/ORT | ratio imported/ORT |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        try
        {
            foreach (var name in new[] { "mlp", "lenet" })
            {
                Generator.ManualSeed(0);
                Module model = name == "mlp" ? ModelZoo.MLP() : ModelZoo.LeNet5();
                int[] sample = name == "mlp" ? [784] : [1, 28, 28];
                model.Eval();
                string path = Path.Combine(dir, name + ".onnx");
                OnnxIO.Export(model, sample, path);
                var imported = OnnxIO.Load(path);
                imported.Eval();
                var batch = data.Test.Slice(0, 1000).Features.Reshape([1000, .. sample]);
                foreach (int t in threadCounts)
                {
                    Threads.Max = t;
                    using var ort = new OrtRunner(path, t, sample);
                    var results = new Dictionary<string, List<double>>();
                    for (int r = 0; r < reps; r++)
                    {
                        Add(results, "nabla/throughput", Throughput(b => model.Forward(b), batch, seconds));
                        Add(results, "imported/throughput", Throughput(b => imported.Forward(b), batch, seconds));
                        Add(results, "ort/throughput", Throughput(ort.Run, batch, seconds));
                        Add(results, "nabla/latency", Latency(b => model.Forward(b), batch));
                        Add(results, "imported/latency", Latency(b => imported.Forward(b), batch));
                        Add(results, "ort/latency", Latency(ort.Run, batch));
                    }
                    Row(name, t, "batch-1000 throughput (samples/s)", results, "throughput", higherIsBetter: true);
                    Row(name, t, "single-sample latency, median (µs)", results, "latency", higherIsBetter: false);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return 0;
    }

    static void Add(Dictionary<string, List<double>> d, string key, double v) =>
        (d.TryGetValue(key, out var l) ? l : d[key] = []).Add(v);

    static double Median(List<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }

    static void Row(string model, int threads, string metric, Dictionary<string, List<double>> r, string kind, bool higherIsBetter)
    {
        double n = Median(r["nabla/" + kind]), i = Median(r["imported/" + kind]), o = Median(r["ort/" + kind]);
        // As time ratios: throughput ratios are inverted so that below 1 always means Nabla is faster.
        double rn = higherIsBetter ? o / n : n / o, ri = higherIsBetter ? o / i : i / o;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {threads} | {metric} | {n:G4} | {i:G4} | {o:G4} | {rn:F2} | {ri:F2} |"));
    }

    static double Throughput(Action<Tensor> forward, Tensor batch, double seconds)
    {
        using var _ = GradMode.NoGrad();
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed.TotalSeconds < 0.5) forward(batch);
        int runs = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds) { forward(batch); runs++; }
        return runs * batch.Shape[0] / sw.Elapsed.TotalSeconds;
    }

    static double Latency(Action<Tensor> forward, Tensor batch)
    {
        using var _ = GradMode.NoGrad();
        var singles = Enumerable.Range(0, 100).Select(i => Tensor.FromArray(batch.Rows(i, 1).ToArray(), batch.Rows(i, 1).Shape.ToArray())).ToArray();
        var warm = Stopwatch.StartNew();
        for (int i = 0; warm.Elapsed.TotalSeconds < 0.3; i++) forward(singles[i % singles.Length]);
        var lat = new double[1000];
        for (int i = 0; i < lat.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            forward(singles[i % singles.Length]);
            lat[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        Array.Sort(lat);
        return lat[lat.Length / 2];
    }

    /// <summary>An ONNX Runtime session with its input and output buffers allocated once per batch size.</summary>
    sealed class OrtRunner : IDisposable
    {
        readonly InferenceSession _session;
        readonly RunOptions _run = new();
        readonly int[] _sample;

        public OrtRunner(string path, int threads, int[] sample)
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _session = new InferenceSession(path, options);
            _sample = sample;
        }

        public void Run(Tensor batch)
        {
            float[] x = batch.ToArray();
            long[] shape = [batch.Shape[0], .. _sample.Select(d => (long)d)];
            using var input = OrtValue.CreateTensorValueFromMemory(x, shape);
            using var outputs = _session.Run(_run, ["input"], [input], ["output"]);
        }

        public void Dispose() { _run.Dispose(); _session.Dispose(); }
    }
}
