using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// `train` mode: where the time of one training step goes (forward, loss, backward, optimizer step) for the benchmark
/// models at batch 64 with Adam and softmax cross-entropy, with managed allocations and GC counts per step, the spread
/// of step times and the optimizer's step by quarter of the run;
/// `--fit` times whole epochs of <see cref="Trainer.Fit"/> on MNIST; `--infer` measures batch-1000 throughput and
/// single-sample latency.
/// </summary>
/// <remarks>Usage: <c>train [--model mlp|lenet|cnn] [--steps N] [--threads T] [--fit EPOCHS] [--infer]</c>.</remarks>
internal static class TrainStepBench
{
    public static int Run(string[] args)
    {
        string model = "mlp";
        int steps = 300, threads = 2, fitEpochs = 0, batch = 64;
        bool infer = false, arena = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model": model = args[++i]; break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fit": fitEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--infer": infer = true; break;
                case "--no-arena": arena = false; break;
                default: Console.Error.WriteLine($"train: unknown option {args[i]}"); return 2;
            }
        }
        Threads.Max = threads;
        Console.WriteLine($"# {model}, batch {batch}, {threads} thread(s), GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        if (fitEpochs > 0) return Fit(model, fitEpochs, batch);
        if (infer) return Infer(model);
        return Steps(model, steps, batch, arena);
    }

    /// <summary>Builds one of the benchmark models (the same layers as bench/torch_bench.py).</summary>
    public static Module Build(string name) => name switch
    {
        "mlp" => new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10)),
        "lenet" => new Sequential(new Conv(1, 6, 5, 2), new ReLU(), new MaxPool(2), new Conv(6, 16, 5, 0), new ReLU(), new MaxPool(2),
            new Flatten(), new Linear(400, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, 10)),
        "cnn" => new Sequential(new Conv(1, 32, 3, 0), new ReLU(), new Conv(32, 64, 3, 0), new ReLU(), new MaxPool(2), new Dropout(0.25),
            new Flatten(), new Linear(9216, 128), new ReLU(), new Dropout(0.5), new Linear(128, 10)),
        _ => throw new ArgumentException($"unknown model {name} (mlp, lenet, cnn)"),
    };

    private static int Steps(string name, int steps, int batch, bool useArena)
    {
        Generator.ManualSeed(1);
        var model = Build(name);
        var opt = new Adam(model.Parameters(), 1e-3);
        var loss = new CrossEntropy();
        var arena = new TensorArena();
        var mnist = Mnist.Load(flatten: name == "mlp");
        var loader = new DataLoader(mnist.Train, batch, shuffle: true, dropLast: true, seed: 1);
        var batches = loader.GetEnumerator();

        int warm = Math.Max(20, steps / 5);
        var phases = new double[5];   // forward, loss, backward, step, next batch (timestamp ticks)
        var stepTicks = new long[steps];   // each measured step's wall time
        var optimizerTicks = new long[steps];
        long alloc = 0, allocAll = 0;
        int g0 = 0, g1 = 0, g2 = 0;
        double wall = 0, cpu = 0;
        for (int s = 0; s < warm + steps; s++)
        {
            bool measure = s >= warm;
            if (s == warm)
            {
                alloc = GC.GetAllocatedBytesForCurrentThread();
                allocAll = GC.GetTotalAllocatedBytes(true);
                g0 = GC.CollectionCount(0); g1 = GC.CollectionCount(1); g2 = GC.CollectionCount(2);
                wall = Stopwatch.GetTimestamp();
                cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            }
            long tb = Stopwatch.GetTimestamp();
            if (!batches.MoveNext())
            {
                batches = loader.GetEnumerator();
                batches.MoveNext();
            }
            var (x, labels) = (batches.Current.Features, batches.Current.Labels!);
            if (measure) phases[4] += Stopwatch.GetTimestamp() - tb;
            using var scope = useArena ? arena.Enter() : default;
            long t0 = Stopwatch.GetTimestamp();
            var output = model.Forward(x);
            long t1 = Stopwatch.GetTimestamp();
            var l = loss.Forward(output, labels);
            _ = l.Item();
            long t2 = Stopwatch.GetTimestamp();
            opt.ZeroGrad(setToNone: !useArena);
            l.Backward();
            long t3 = Stopwatch.GetTimestamp();
            opt.Step();
            long t4 = Stopwatch.GetTimestamp();
            if (measure)
            {
                phases[0] += t1 - t0; phases[1] += t2 - t1; phases[2] += t3 - t2; phases[3] += t4 - t3;
                stepTicks[s - warm] = Stopwatch.GetTimestamp() - tb;
                optimizerTicks[s - warm] = t4 - t3;
            }
        }
        double wallMs = (Stopwatch.GetTimestamp() - wall) / Stopwatch.Frequency * 1e3 / steps;
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu) * 1e3 / steps;
        long bytes = (GC.GetAllocatedBytesForCurrentThread() - alloc) / steps;
        long bytesAll = (GC.GetTotalAllocatedBytes(true) - allocAll) / steps;
        double f = 1e3 / Stopwatch.Frequency / steps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {wallMs:F3} ms wall, {cpuMs:F3} ms process CPU | forward {phases[0] * f:F3}, loss {phases[1] * f:F3}, backward {phases[2] * f:F3}, step {phases[3] * f:F3}, next batch {phases[4] * f:F3} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alloc/step {bytes} B (this thread), {bytesAll} B (all threads) | GCs over {steps} steps: gen0 {GC.CollectionCount(0) - g0}, gen1 {GC.CollectionCount(1) - g1}, gen2 {GC.CollectionCount(2) - g2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch estimate (938 steps): {wallMs * 938 / 1e3:F2} s wall, {cpuMs * 938 / 1e3:F2} s CPU"));
        // The spread of step times (a shared machine's noise shows as a long tail), and the optimizer's step by quarter of
        // the run (it grew by 70% over 2,000 MNIST steps while Adam's moments sank into subnormals).
        var sorted = stepTicks.Select(t => t * 1e3 / Stopwatch.Frequency).Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step times: p10 {P(0.1):F3}, median {P(0.5):F3}, p90 {P(0.9):F3}, p99 {P(0.99):F3} ms"));
        int quarter = Math.Max(1, steps / 4);
        var quarters = Enumerable.Range(0, steps / quarter).Select(q => optimizerTicks.Skip(q * quarter).Take(quarter).Average() * 1e3 / Stopwatch.Frequency);
        Console.WriteLine("optimizer step by quarter of the run: " + string.Join(", ", quarters.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))) + " ms");
        Console.WriteLine($"team jobs that did not pay (each sent the next ones to one thread for a while): {Nabla.Kernels.WorkerPool.UnpaidJobs}; members moved off the caller's core: {Nabla.Kernels.WorkerPool.Moves}");
        Console.WriteLine($"pool: {Nabla.Kernels.WorkerPool.Stats}");
        return 0;
    }

    private static int Fit(string name, int epochs, int batch)
    {
        var mnist = Mnist.Load(flatten: name == "mlp");
        Generator.ManualSeed(1);
        var model = Build(name);
        var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));
        for (int e = 1; e <= epochs; e++)
        {
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            long allocAll = GC.GetTotalAllocatedBytes(true);
            double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            trainer.Fit(mnist.Train, e, batchSize: batch, seed: 1);
            var r = trainer.History.Epochs[^1];
            double cpuS = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {e}: {r.Seconds:F2} s wall, {cpuS:F2} s CPU, loss {r.Loss:F4}, acc {r.Accuracy:P2}, alloc {(GC.GetTotalAllocatedBytes(true) - allocAll) / 1048576.0:F1} MiB, GCs gen0 {GC.CollectionCount(0) - g0} gen1 {GC.CollectionCount(1) - g1} gen2 {GC.CollectionCount(2) - g2}, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB"));
        }
        var ev = trainer.Evaluate(mnist.Test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {ev.Accuracy:P2}"));
        return 0;
    }

    private static int Infer(string name)
    {
        Generator.ManualSeed(0);
        var model = Build(name);
        model.Eval();
        var gen = new Generator(3);
        var big = Tensor.Rand([1000, 1, 28, 28], generator: gen);
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < 5; i++) model.Forward(big);
        int runs = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 2) { model.Forward(big); runs++; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-1000 throughput {runs * 1000 / sw.Elapsed.TotalSeconds:F0} samples/s"));
        var ones = new Tensor[1000];
        for (int i = 0; i < ones.Length; i++) ones[i] = big.Rows(i, 1);
        for (int i = 0; i < 500; i++) model.Forward(ones[i % 1000]);
        var lat = new double[5000];
        long alloc = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < lat.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            model.Forward(ones[i % 1000]);
            lat[i] = (Stopwatch.GetTimestamp() - t) * 1e6 / Stopwatch.Frequency;
        }
        long bytes = (GC.GetAllocatedBytesForCurrentThread() - alloc) / lat.Length;
        Array.Sort(lat);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch-1 latency median {lat[lat.Length / 2]:F2} µs, p90 {lat[lat.Length * 9 / 10]:F2} µs, alloc/call {bytes} B"));
        return 0;
    }

    /// <summary>A 2-D convolution layer for the benchmark models (PyTorch's default initialization).</summary>
    private sealed class Conv : Module
    {
        private readonly int _padding;

        public Conv(int inChannels, int outChannels, int kernel, int padding)
        {
            double bound = 1.0 / Math.Sqrt(inChannels * kernel * kernel);
            Weight = new Parameter(Tensor.Uniform([outChannels, inChannels, kernel, kernel], -bound, bound));
            Bias = new Parameter(Tensor.Uniform([outChannels], -bound, bound), isBias: true);
            _padding = padding;
        }

        public Parameter Weight { get; }

        public Parameter Bias { get; }

        public override Tensor Forward(Tensor input) => Tensor.Conv2d(input, Weight, Bias, padding: (_padding, _padding));
    }

    /// <summary>Max pooling with a square window and equal stride.</summary>
    private sealed class MaxPool(int size) : Module
    {
        public override Tensor Forward(Tensor input) => input.MaxPool2d((size, size));
    }
}
