using System.Diagnostics;
using System.Globalization;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>`gemm` mode: Nabla Sgemm beside OpenBLAS cblas_sgemm, same process, same inputs, 1 and 2 threads.</summary>
internal static unsafe class GemmBench
{
    private sealed record Case(string Name, bool TransA, bool TransB, int M, int K, int N);

    public static int Run(string[] args)
    {
        double seconds = 0.4; // measuring time per (case, library, threads), split into trials
        int[] threadCounts = [1, 2];
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--case": only = args[++i]; break;
                case "--cpu-time": ThreadCpuClock.Enabled = true; break;
                case "--kernel":
                    string kernel = args[++i];
                    Gemm.DisableAvx512 = kernel is "avx2" or "portable";
                    Gemm.ForceFallback = kernel == "portable";
                    break;
                default: Console.Error.WriteLine($"gemm: unknown option {args[i]}"); return 2;
            }
        }

        var cases = new List<Case>();
        foreach (int s in new[] { 128, 256, 512, 1024, 2048 }) cases.Add(new Case($"{s}^3", false, false, s, s, s));
        cases.Add(new Case("64x784x256", false, false, 64, 784, 256));
        cases.Add(new Case("64x256x128", false, false, 64, 256, 128));
        cases.Add(new Case("256x64x784 AT*B", true, false, 256, 64, 784));
        cases.Add(new Case("1024^3 A*BT", false, true, 1024, 1024, 1024));
        cases.Add(new Case("1024^3 AT*B", true, false, 1024, 1024, 1024));
        cases.Add(new Case("1x784x256", false, false, 1, 784, 256));
        // The MLP's training step at batch 64: forward X·Wᵀ, input gradient dY·W (layer 2), weight gradient dYᵀ·X.
        cases.Add(new Case("64x784x256 A*BT", false, true, 64, 784, 256));
        cases.Add(new Case("64x256x128 A*BT", false, true, 64, 256, 128));
        cases.Add(new Case("64x128x256", false, false, 64, 128, 256));
        cases.Add(new Case("128x64x256 AT*B", true, false, 128, 64, 256));
        // The MLP's batch-1000 inference: Linear's forward is X·Wᵀ with W stored [out, in].
        cases.Add(new Case("1000x784x256 A*BT", false, true, 1000, 784, 256));
        cases.Add(new Case("1000x256x128 A*BT", false, true, 1000, 256, 128));
        // The CNN's dense layer (9216 -> 128, batch 64): forward X·Wᵀ, input gradient dY·W, weight gradient dYᵀ·X.
        cases.Add(new Case("64x9216x128 A*BT", false, true, 64, 9216, 128));
        cases.Add(new Case("64x128x9216", false, false, 64, 128, 9216));
        cases.Add(new Case("128x64x9216 AT*B", true, false, 128, 64, 9216));
        // The LSTM (28 -> 128, batch 64, 28 steps): each step's h·W_hhᵀ and dgates·W_hh; the weight gradient over all steps.
        cases.Add(new Case("64x128x512 A*BT", false, true, 64, 128, 512));
        cases.Add(new Case("64x512x128", false, false, 64, 512, 128));
        cases.Add(new Case("512x1792x128 AT*B", true, false, 512, 1792, 128));
        if (only is not null)
        {
            // A comma-separated list; each name matches a case exactly, or else every case containing it.
            var wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            cases = cases.Where(c => wanted.Any(w => cases.Any(x => x.Name.Equals(w, StringComparison.OrdinalIgnoreCase))
                ? c.Name.Equals(w, StringComparison.OrdinalIgnoreCase)
                : c.Name.Contains(w, StringComparison.OrdinalIgnoreCase))).ToList();
        }

        Console.WriteLine("# GEMM: Nabla vs OpenBLAS");
        Console.WriteLine($"CPU: {IsaInfo.CpuModel()}");
        Console.WriteLine($"Nabla: {IsaInfo.Describe()}");
        Console.WriteLine($"OpenBLAS: {OpenBlas.Config}, kernels {OpenBlas.CoreName}" + (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { } core ? $" [OPENBLAS_CORETYPE={core}]" : ""));
        Console.WriteLine("(m x k x n: A[m,k]·B[k,n]; GFLOP/s = 2mnk / best time" + (ThreadCpuClock.Enabled ? " of the calling thread's CPU clock: meaningful for 1 thread only)" : ")"));
        Console.WriteLine();
        Console.WriteLine("| case | threads | Nabla GFLOP/s | OpenBLAS GFLOP/s | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var json = new List<string>();
        var nablaRates = new Dictionary<(string, int), double>();
        foreach (var bc in cases)
        {
            foreach (int t in threadCounts)
            {
                var (nabla, blas) = Measure(bc, t, seconds);
                nablaRates[(bc.Name, t)] = nabla;
                double ratio = nabla / blas;
                Console.WriteLine($"| {bc.Name} | {t} | {nabla:F1} | {blas:F1} | {ratio:F2} |");
                json.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"case\":\"{bc.Name}\",\"threads\":{t},\"nabla_gflops\":{nabla:F2},\"openblas_gflops\":{blas:F2},\"ratio\":{ratio:F3}}}"));
            }
        }
        Console.WriteLine();
        if (threadCounts.Contains(1) && threadCounts.Contains(2)) PrintScaling(cases, nablaRates);
        foreach (var line in json) Console.WriteLine(line);
        return 0;
    }

    // Nabla's 2-thread speed over its 1-thread speed, case by case, and whether 2 threads were never slower.
    private static void PrintScaling(List<Case> cases, Dictionary<(string, int), double> rates)
    {
        Console.WriteLine("| case | Nabla 1T GFLOP/s | Nabla 2T GFLOP/s | 2T/1T |");
        Console.WriteLine("|---|---:|---:|---:|");
        var slower = new List<string>();
        foreach (var bc in cases)
        {
            double one = rates[(bc.Name, 1)], two = rates[(bc.Name, 2)];
            Console.WriteLine($"| {bc.Name} | {one:F1} | {two:F1} | {two / one:F2} |");
            if (two < one) slower.Add(bc.Name);
        }
        Console.WriteLine();
        Console.WriteLine(slower.Count == 0
            ? "2 threads >= 1 thread: yes, in every case"
            : $"2 threads >= 1 thread: no, 2 threads slower in {string.Join(", ", slower)}");
        Console.WriteLine();
    }

    private static (double Nabla, double OpenBlas) Measure(Case bc, int threads, double seconds)
    {
        int m = bc.M, n = bc.N, k = bc.K;
        int lda = bc.TransA ? m : k, ldb = bc.TransB ? k : n;
        var rng = new Random(42);
        var a = new float[m * k];
        var b = new float[k * n];
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() * 2 - 1);

        Threads.Max = threads;
        OpenBlas.SetNumThreads(threads);
        long unpaidBefore = WorkerPool.UnpaidJobs;
        double flops = 2.0 * m * n * k;
        fixed (float* pa = a, pb = b, pc = c2)
        {
            float* ca = pa, cb = pb, cc = pc;
            void Blas() => OpenBlas.Sgemm(OpenBlas.RowMajor, bc.TransA ? OpenBlas.Trans : OpenBlas.NoTrans,
                bc.TransB ? OpenBlas.Trans : OpenBlas.NoTrans, m, n, k, 1f, ca, lda, cb, ldb, 0f, cc, n);
            void Mine() => Gemm.Sgemm(bc.TransA, bc.TransB, m, n, k, 1f, a, lda, b, ldb, 0f, c1, n);

            // Check agreement first (a benchmark of a wrong answer is worthless).
            Mine();
            Blas();
            double maxErr = 0, maxRef = 0;
            for (int i = 0; i < c1.Length; i++)
            {
                maxErr = Math.Max(maxErr, Math.Abs(c1[i] - c2[i]));
                maxRef = Math.Max(maxRef, Math.Abs(c2[i]));
            }
            if (maxErr > 1e-4 * Math.Sqrt(k) * Math.Max(1, maxRef))
                throw new InvalidOperationException($"{bc.Name}: Nabla and OpenBLAS disagree (max abs diff {maxErr}).");

            // Interleave trials of both so that clock or neighbour noise hits both alike; keep the best.
            double bestMine = double.MaxValue, bestBlas = double.MaxValue;
            int reps = Math.Max(1, (int)(0.02 * 50e9 / flops)); // about 20 ms per trial at 50 GFLOP/s
            int trials = Math.Max(3, (int)(seconds / 2 / Math.Max(0.005, reps * flops / 50e9)));
            // Warm up long enough for tiered compilation to reach optimized code (and the pools to start).
            long warmStart = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 0.25) { Mine(); Blas(); }
            for (int trial = 0; trial < trials; trial++)
            {
                bestMine = Math.Min(bestMine, Time(Mine, reps));
                bestBlas = Math.Min(bestBlas, Time(Blas, reps));
            }
            long unpaid = WorkerPool.UnpaidJobs - unpaidBefore;
            if (unpaid > 0) Console.Error.WriteLine($"{bc.Name}, {threads} threads: {unpaid} team products did not pay and sent the next ones to one thread");
            return (flops / bestMine / 1e9, flops / bestBlas / 1e9);
        }
    }

    private static double Time(Action f, int reps)
    {
        if (ThreadCpuClock.Enabled)
        {
            double t0 = ThreadCpuClock.Seconds();
            for (int r = 0; r < reps; r++) f();
            return (ThreadCpuClock.Seconds() - t0) / reps;
        }
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < reps; r++) f();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
    }
}
