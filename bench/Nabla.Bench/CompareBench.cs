using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Losses;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// The Nabla side of bench/compare.sh: the same workloads as bench/torch_bench.py (MNIST in memory, batch 64, Adam 1e-3,
/// softmax cross-entropy, shuffled per epoch with a seed), one case per process, one JSON line per figure:
/// {"case":..,"metric":..,"value":..,"unit":..}.
/// </summary>
internal static class CompareBench
{
    public static int Run(string[] args)
    {
        if (args.Length == 0) { Console.Error.WriteLine("usage: compare <mlp_train|lenet_train|cnn_train|lstm_train|mlp_infer|lenet_infer> [--epochs N] [--max-batches N] [--threads N] [--no-winograd]"); return 2; }
        string c = args[0];
        int epochs = IntArg(args, "--epochs", 1), maxBatches = IntArg(args, "--max-batches", 0);
        Threads.Max = IntArg(args, "--threads", 2);
        Nabla.Kernels.ConvWinogradAvx2.Disable = args.Contains("--no-winograd");
        Nabla.Kernels.ConvWinograd128.Disable = args.Contains("--no-winograd");
        var data = Mnist.Load();
        string model = c.Split('_')[0];
        if (c.EndsWith("_train", StringComparison.Ordinal)) Train(c, model, data, epochs, maxBatches);
        else Infer(c, model, data);
        Emit(c, "peak_rss", PeakRssMiB(), "MiB");
        return 0;
    }

    private static Module Build(string name) => name switch
    {
        "mlp" => ModelZoo.MLP(),
        "lenet" => ModelZoo.LeNet5(),
        "cnn" => ModelZoo.CNN(),
        "lstm" => ModelZoo.RowLSTM(),
        _ => throw new ArgumentException($"unknown model {name}"),
    };

    private static void Train(string c, string name, TrainTestData data, int epochs, int maxBatches)
    {
        Generator.ManualSeed(1);
        var model = Build(name);
        var opt = new Adam(model.Parameters(), 1e-3);
        var loss = new CrossEntropy();
        var loader = new DataLoader(data.Train, 64, shuffle: true, seed: 1);
        var arena = new TensorArena(); // as Trainer.Fit does: each step's intermediate tensors reuse the last step's storage
        var times = new List<double>();
        int gen0 = 0, gen1 = 0, gen2 = 0;
        for (int e = 0; e < epochs; e++)
        {
            model.Train();
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            // With maxBatches the first tenth of the batches are a warm-up (JIT tiering), not timed; as on PyTorch's side.
            int warmup = maxBatches / 10;
            var sw = Stopwatch.StartNew();
            int batches = 0;
            foreach (var batch in loader)
            {
                using (arena.Enter())
                {
                    var l = loss.Forward(model.Forward(batch.Features), batch.Labels!);
                    opt.ZeroGrad(setToNone: false);
                    l.Backward();
                    opt.Step();
                }
                batches++;
                if (maxBatches > 0 && batches == warmup) sw.Restart();
                if (maxBatches > 0 && batches >= maxBatches) break;
                // A single-epoch run has no steady-state epoch: its GC counts start after the first tenth of the batches
                // (the arena's first allocations and the JIT's warm-up), as the timing of --max-batches does.
                if (epochs == 1 && batches == Math.Max(1, (maxBatches > 0 ? maxBatches : loader.BatchesPerEpoch) / 10))
                {
                    g0 = GC.CollectionCount(0); g1 = GC.CollectionCount(1); g2 = GC.CollectionCount(2);
                }
            }
            double s = sw.Elapsed.TotalSeconds;
            times.Add(maxBatches > 0 ? s * loader.BatchesPerEpoch / (batches - warmup) : s);
            if (Environment.GetEnvironmentVariable("NABLA_JITTRACE") is not null)
                Console.Error.WriteLine($"epoch {e}: {times[^1]:F3} s, methods compiled {System.Runtime.JitInfo.GetCompiledMethodCount()}, JIT time {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms");
            // GC counts of the last epoch (steady state when epochs > 1).
            gen0 = GC.CollectionCount(0) - g0; gen1 = GC.CollectionCount(1) - g1; gen2 = GC.CollectionCount(2) - g2;
        }
        // The median epoch; of an even number, the mean of the middle two (of 2 epochs: their mean, not the slower one,
        // which is the first, with the JIT's warm-up; the same statistic as bench/torch_bench.py).
        times.Sort();
        Emit(c, "epoch_seconds", (times[(times.Count - 1) / 2] + times[times.Count / 2]) / 2, "s");
        Emit(c, "gc_gen0_per_epoch", gen0, "count");
        Emit(c, "gc_gen1_per_epoch", gen1, "count");
        Emit(c, "gc_gen2_per_epoch", gen2, "count");
        if (maxBatches == 0)
        {
            var ev = new Trainer(model, loss, opt).Evaluate(data.Test);
            Emit(c, "test_accuracy", ev.Accuracy, "fraction");
        }
    }

    private static void Infer(string c, string name, TrainTestData data)
    {
        Generator.ManualSeed(0);
        var model = Build(name);
        model.Eval();
        using var _ = GradMode.NoGrad();
        // The first 1000 test images only: Slice keeps MNIST's bytes, so just these rows are widened to float32.
        var batch = data.Test.Slice(0, 1000).Features;
        // Half a second of warm-up on both sides: Nabla's JIT finishes tiering the kernels' loops, PyTorch's allocator
        // fills its caches; then the timed window sees a process in its steady state, as a server would be.
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed.TotalSeconds < 0.5) model.Forward(batch);
        int runs = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 2.0) { model.Forward(batch); runs++; }
        Emit(c, "batch1000_throughput", runs * 1000 / sw.Elapsed.TotalSeconds, "samples/s");
        // Warm up single-sample calls for half a second (the JIT's tiering settles, as in a serving process).
        var warm = Stopwatch.StartNew();
        for (int i = 0; warm.Elapsed.TotalSeconds < 0.5; i++) model.Forward(batch.Rows(i % 1000, 1));
        var lat = new double[2000];
        for (int i = 0; i < lat.Length; i++)
        {
            var x = batch.Rows(i % 1000, 1);
            long t0 = Stopwatch.GetTimestamp();
            model.Forward(x);
            lat[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        Array.Sort(lat);
        Emit(c, "latency_median", lat[lat.Length / 2], "us");
        Emit(c, "latency_p90", lat[(int)(lat.Length * 0.9)], "us");
    }

    private static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Emit(string c, string metric, double value, string unit) =>
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["case"] = c, ["metric"] = metric, ["value"] = value, ["unit"] = unit }));
}
