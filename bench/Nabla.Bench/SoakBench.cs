using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// `soak` mode: a long MNIST MLP training loop (784-256-128-10, Adam, batches of 64, shuffled) that samples the managed
/// heap, the resident set size and the GC collection counts every few steps, prints them as a table, and says whether
/// memory stays flat after warm-up (growth over the second half of the run below a threshold). Not a unit test: run it
/// by hand, e.g. <c>dotnet run -c Release --project bench/Nabla.Bench -- soak --steps 2000</c>.
/// </summary>
internal static class SoakBench
{
    public static int Run(string[] args)
    {
        int steps = 2000, every = 100, batch = 64;
        double threshold = 0.05;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--every": every = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threshold": threshold = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"soak: unknown option {args[i]}"); return 2;
            }
        }
        if (steps < 2 * every || every < 1 || batch < 1) { Console.Error.WriteLine("soak: need --steps ≥ 2·--every ≥ 2 and --batch ≥ 1"); return 2; }

        Generator.ManualSeed(1);
        var mnist = Mnist.Load(flatten: true);
        var model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
        var loss = new CrossEntropy();
        var optimizer = new Adam(model.Parameters(), 1e-3);
        var loader = new DataLoader(mnist.Train, batch, shuffle: true, seed: 1);
        Console.WriteLine($"soak: {steps} steps, MLP 784-256-128-10, Adam, batch {batch}, {Environment.ProcessorCount} CPUs, " +
                          $"server GC {System.Runtime.GCSettings.IsServerGC}, load average {LoadAverage()}");

        var samples = new List<Sample>();
        long liveAtHalf = 0, liveAtEnd = 0;
        int half = steps / 2 / every * every;
        var epoch = loader.GetEnumerator();
        var clock = Stopwatch.StartNew();
        double lastSeconds = 0, lossValue = double.NaN;
        for (int step = 1; step <= steps; step++)
        {
            if (!epoch.MoveNext())
            {
                epoch.Dispose();
                epoch = loader.GetEnumerator();
                epoch.MoveNext();
            }
            var b = epoch.Current;
            var l = loss.Forward(model.Forward(b.Features), b.Labels!);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            if (step % every == 0)
            {
                lossValue = l.Item();
                double now = clock.Elapsed.TotalSeconds;
                samples.Add(new Sample(step, GC.GetTotalMemory(false), Rss(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                    GC.GetTotalAllocatedBytes(), (now - lastSeconds) / every * 1000, lossValue));
                lastSeconds = now;
                // The live heap (after a full collection) at the middle and at the end: the leak signal free of the gen0 sawtooth.
                if (step == half) { liveAtHalf = GC.GetTotalMemory(true); lastSeconds = clock.Elapsed.TotalSeconds; }
                if (step == steps) liveAtEnd = GC.GetTotalMemory(true);
            }
        }
        epoch.Dispose();

        Console.WriteLine();
        Console.WriteLine("  step   heap MB    RSS MB   gen0  gen1  gen2  alloc MB/100 steps  ms/step    loss");
        Sample? previous = null;
        foreach (var s in samples)
        {
            double allocated = (s.Allocated - (previous?.Allocated ?? 0)) / 1e6 * 100.0 / every;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Step,6} {s.Heap / 1e6,9:F1} {s.Rss / 1e6,9:F1} {s.Gen0,6} {s.Gen1,5} {s.Gen2,5} {allocated,19:F1} {s.MsPerStep,8:F2} {s.Loss,7:F4}"));
            previous = s;
        }

        // Verdict over the second half (after warm-up): live heap, sampled heap (max of each quarter, robust to the sawtooth), RSS.
        var second = samples.Where(s => s.Step > half).ToList();
        var q3 = second.Take(second.Count / 2).ToList();
        var q4 = second.Skip(second.Count / 2).ToList();
        double Growth(double from, double to) => from <= 0 ? double.NaN : (to - from) / from;
        var checks = new (string Name, double Growth)[]
        {
            ("live heap (after full GC)", Growth(liveAtHalf, liveAtEnd)),
            ("sampled heap (max per quarter)", Growth(q3.Max(s => s.Heap), q4.Max(s => s.Heap))),
            ("RSS", Growth(samples.First(s => s.Step == half).Rss, samples[^1].Rss)),
        };
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live heap: {liveAtHalf / 1e6:F1} MB at step {half}, {liveAtEnd / 1e6:F1} MB at step {steps}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gen2 collections in the second half: {samples[^1].Gen2 - samples.First(s => s.Step == half).Gen2} (two of them forced by the live-heap measurements)"));
        bool flat = true;
        foreach (var (name, g) in checks)
        {
            bool ok = g < threshold;
            flat &= ok;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} growth {g,7:P1}  {(ok ? "flat" : "GROWING")}"));
        }
        Console.WriteLine(flat
            ? $"verdict: FLAT: memory stays within {threshold:P0} after warm-up (steps {half}–{steps})"
            : $"verdict: GROWING: memory grows by {threshold:P0} or more after warm-up (steps {half}–{steps})");
        return flat ? 0 : 1;
    }

    private sealed record Sample(int Step, long Heap, long Rss, int Gen0, int Gen1, int Gen2, long Allocated, double MsPerStep, double Loss);

    /// <summary>The resident set size: VmRSS from /proc/self/status on Linux, else the working set.</summary>
    private static long Rss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.WorkingSet;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}
