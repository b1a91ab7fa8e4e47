using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>Tests that switch <see cref="Simd.Level"/> run in this collection, alone, so no other test sees a forced level.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SimdLevelCollection
{
    public const string Name = "SimdLevel";
}

public delegate void UnaryF(ReadOnlySpan<float> x, Span<float> y);
public delegate void UnaryD(ReadOnlySpan<double> x, Span<double> y);
public delegate void BinaryF(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y);
public delegate void BinaryD(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y);
public delegate void GradF(ReadOnlySpan<float> u, ReadOnlySpan<float> dy, Span<float> dx);
public delegate void GradD(ReadOnlySpan<double> u, ReadOnlySpan<double> dy, Span<double> dx);
public delegate void Grad2F(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db);
public delegate void Grad2D(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> dy, Span<double> da, Span<double> db);

internal static class K
{
    /// <summary>Every length from 0 to 67 (all tail shapes for 4- and 8-wide vectors, several full vectors) plus two large ones.</summary>
    public static readonly int[] Lengths = [.. Enumerable.Range(0, 68), 1000, 4099];

    /// <summary>The levels this machine can run, widest first, as ints (test methods are public, SimdLevel is internal).</summary>
    public static IEnumerable<int> LevelInts() =>
        new[] { SimdLevel.Vector256, SimdLevel.Vector128, SimdLevel.Scalar }.Where(l => l <= Simd.Best).Select(l => (int)l);

    public static TheoryData<int> Levels()
    {
        var d = new TheoryData<int>();
        foreach (int l in LevelInts()) d.Add(l);
        return d;
    }

    public static TheoryData<string, int> Cross(IEnumerable<string> names)
    {
        var d = new TheoryData<string, int>();
        foreach (string n in names)
            foreach (int l in LevelInts()) d.Add(n, l);
        return d;
    }

    public static IDisposable AtLevel(int level) => new LevelScope((SimdLevel)level);

    private sealed class LevelScope : IDisposable
    {
        private readonly SimdLevel _saved = Simd.Level;
        public LevelScope(SimdLevel level) => Simd.Level = level;
        public void Dispose() => Simd.Level = _saved;
    }

    public static float[] Uniform(int n, int seed, double lo, double hi)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return a;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    /// <summary>Asserts |actual − expected| ≤ rel·|expected| + abs element-wise, with a message naming the first failure.</summary>
    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (e == a) continue;
            if (!(Math.Abs(a - e) <= rel * Math.Abs(e) + abs))
                Assert.Fail($"{what}: element {i} of {actual.Length} is {a:R}, expected {e:R} (error {Math.Abs(a - e):E3})");
        }
    }

    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (e == a) continue;
            if (!(Math.Abs(a - e) <= rel * Math.Abs(e) + abs))
                Assert.Fail($"{what}: element {i} of {actual.Length} is {a:R}, expected {e:R} (error {Math.Abs(a - e):E3})");
        }
    }

    /// <summary>The distance between |x| and the next float up, for the binade of x (subnormal spacing below 2^-126).</summary>
    public static double Ulp(double x)
    {
        if (x == 0 || double.IsSubnormal(x)) return Math.ScaleB(1.0, -149);
        int e = Math.Max(Math.ILogB(x), -126);
        return Math.ScaleB(1.0, e - 23);
    }

    /// <summary>|y − exact| in units of the last place of the exact result (0 when both are the same infinity or NaN).</summary>
    public static double UlpError(float y, double exact)
    {
        if (double.IsNaN(exact)) return float.IsNaN(y) ? 0 : double.PositiveInfinity;
        if (double.IsInfinity(exact) || exact > float.MaxValue || exact < -float.MaxValue)
            return y == (float)exact ? 0 : double.PositiveInfinity;
        return Math.Abs(y - exact) / Ulp(exact);
    }
}

/// <summary>Puts the kernel thread pool in a known state for tests that count what its worker does.</summary>
internal static class PoolTestSupport
{
    /// <summary>
    /// Ends any while of solo jobs, then waits (up to 10 s) until the worker takes part in a team job again (an earlier
    /// test may still hold it in a delay hook) and a little longer, until it is idle. Needs <c>Threads.Max</c> ≥ 2.
    /// </summary>
    public static void WaitForIdleWorker()
    {
        int seen = 0;
        WorkerPool.TestDelay = member => { if (member != 0) Interlocked.Increment(ref seen); };
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref seen) == 0 && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                WorkerPool.ResetSolo();
                Parallelism.For(64, static _ => Thread.SpinWait(2000));
                Thread.Sleep(1);
            }
        }
        finally
        {
            WorkerPool.TestDelay = null;
        }
        Thread.Sleep(50);
        WorkerPool.ResetSolo();
    }
}
