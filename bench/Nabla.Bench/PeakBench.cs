using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Bench;

/// <summary>
/// `peak` mode: the machine's float32 multiply-add ceiling per vector width (fused where the ISA level has FMA, else a
/// multiply and an add), on 1 and 2 threads at once: each thread runs 12 independent accumulator chains (enough to
/// cover the FMA latency on current x86 and ARM cores) for the given time. GEMM and convolution figures are read
/// against it: a kernel at 90% of it is near the end of what any library can do on these cores.
/// </summary>
/// <remarks>Usage: <c>peak [--seconds S]</c>. GFLOP/s counts 2 per lane per FMA.</remarks>
internal static class PeakBench
{
    private const int Chains = 12, Unroll = 1000;

    public static int Run(string[] args)
    {
        double seconds = 1;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds") seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"peak: unknown option {args[i]}"); return 2; }
        }
        Console.WriteLine($"CPU: {IsaInfo.CpuModel()}");
        Console.WriteLine($"Nabla: {IsaInfo.Describe()}");
        Console.WriteLine("| vector | threads | GFLOP/s (all threads) |");
        Console.WriteLine("|---|---:|---:|");
        var widths = new List<(string Name, Func<long, float> Loop, int Lanes)> { ("Vector128", Loop<W128, Vector128<float>>, 4) };
        if (Vector256.IsHardwareAccelerated) widths.Add(("Vector256", Loop<W256, Vector256<float>>, 8));
        if (Vector512.IsHardwareAccelerated) widths.Add(("Vector512", Loop<W512, Vector512<float>>, 16));
        foreach (var (name, loop, lanes) in widths)
        {
            loop(Unroll); // compile
            foreach (int threads in new[] { 1, 2 })
            {
                double rate = Measure(loop, lanes, threads, seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {threads} | {rate:F1} |"));
            }
        }
        return 0;
    }

    // Every thread runs rounds of the loop until the time is up; the rate is all FMAs done over the wall time.
    private static double Measure(Func<long, float> loop, int lanes, int threads, double seconds)
    {
        long[] rounds = new long[threads];
        float sink = 0;
        var start = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            while (start.Elapsed.TotalSeconds < seconds)
            {
                sink += loop(Unroll * 100);
                rounds[t]++;
            }
        });
        double wall = start.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        return rounds.Sum() * (double)Unroll * 100 * Chains * lanes * 2 / wall / 1e9;
    }

    // The loop, once for every width: 12 chains c = c·b + a.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop<TW, TV>(long n) where TW : IWidth<TV> where TV : struct
    {
        TV a = TW.Create(1f), b = TW.Create(0.999999f);
        TV c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < n; i++)
        {
            c0 = TW.MulAdd(c0, b, a); c1 = TW.MulAdd(c1, b, a); c2 = TW.MulAdd(c2, b, a); c3 = TW.MulAdd(c3, b, a);
            c4 = TW.MulAdd(c4, b, a); c5 = TW.MulAdd(c5, b, a); c6 = TW.MulAdd(c6, b, a); c7 = TW.MulAdd(c7, b, a);
            c8 = TW.MulAdd(c8, b, a); c9 = TW.MulAdd(c9, b, a); c10 = TW.MulAdd(c10, b, a); c11 = TW.MulAdd(c11, b, a);
        }
        return TW.Sum(c0) + TW.Sum(c1) + TW.Sum(c2) + TW.Sum(c3) + TW.Sum(c4) + TW.Sum(c5)
            + TW.Sum(c6) + TW.Sum(c7) + TW.Sum(c8) + TW.Sum(c9) + TW.Sum(c10) + TW.Sum(c11);
    }

    private interface IWidth<TV>
    {
        static abstract TV Create(float x);
        static abstract TV MulAdd(TV c, TV b, TV a);
        static abstract float Sum(TV v);
    }

    private struct W128 : IWidth<Vector128<float>>
    {
        public static Vector128<float> Create(float x) => Vector128.Create(x);
        public static Vector128<float> MulAdd(Vector128<float> c, Vector128<float> b, Vector128<float> a) => Vector128.MultiplyAddEstimate(c, b, a);
        public static float Sum(Vector128<float> v) => Vector128.Sum(v);
    }

    private struct W256 : IWidth<Vector256<float>>
    {
        public static Vector256<float> Create(float x) => Vector256.Create(x);
        public static Vector256<float> MulAdd(Vector256<float> c, Vector256<float> b, Vector256<float> a) => Vector256.MultiplyAddEstimate(c, b, a);
        public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    }

    private struct W512 : IWidth<Vector512<float>>
    {
        public static Vector512<float> Create(float x) => Vector512.Create(x);
        public static Vector512<float> MulAdd(Vector512<float> c, Vector512<float> b, Vector512<float> a) => Vector512.MultiplyAddEstimate(c, b, a);
        public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    }
}
