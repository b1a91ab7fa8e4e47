using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Sgemm/Dgemm against a naive float64 reference. Tolerance per element of C: |C − ref| ≤ tol·√k·(|α|·Σ_p|a_ip·b_pj| + |β·c_ij|)
/// with tol = 1e-5 for float (≈ 170 ulp·√k of the absolute sum) and 1e-13 for double: loose enough for any
/// summation order, far too tight for a wrong element, a missed edge or a skipped β term.
/// </summary>
[Collection(GemmCollection.Name)]
public class GemmTests
{
    private const double FloatTolerance = 1e-5;
    private const double DoubleTolerance = 1e-13;
    private static readonly int[] Sizes = [1, 2, 5, 6, 7, 16, 17, 33, 67];

    /// <summary>Kernel paths: the best this machine has (AVX-512 where present), AVX2 forced, portable Vector128 forced.</summary>
    public enum KernelPath { Best, Avx2, Portable }

    private static readonly KernelPath[] Paths = [KernelPath.Best, KernelPath.Avx2, KernelPath.Portable];

    public static TheoryData<bool, bool, KernelPath> TransposesAndPaths()
    {
        var data = new TheoryData<bool, bool, KernelPath>();
        foreach (var path in Paths)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(ta, tb, path);
        return data;
    }

    public static TheoryData<KernelPath> AllPaths() => new(Paths);

    [Theory]
    [MemberData(nameof(TransposesAndPaths))]
    public void SgemmMatchesReferenceForOddSizes(bool transA, bool transB, KernelPath path)
    {
        using var _ = new PathScope(path);
        var rng = new Random(1234);
        int cases = 0;
        foreach (int m in Sizes)
            foreach (int n in Sizes)
                foreach (int k in Sizes)
                {
                    CheckSingle(rng, transA, transB, m, n, k, alpha: 1f, beta: 0f, pad: 0);
                    cases++;
                }
        Assert.Equal(Sizes.Length * Sizes.Length * Sizes.Length, cases);
    }

    [Theory]
    [MemberData(nameof(TransposesAndPaths))]
    public void DgemmMatchesReferenceForOddSizes(bool transA, bool transB, KernelPath path)
    {
        using var _ = new PathScope(path);
        var rng = new Random(99);
        foreach (int m in Sizes)
            foreach (int n in Sizes)
                foreach (int k in new[] { 1, 3, 8, 17, 67 })
                    CheckDouble(rng, transA, transB, m, n, k, alpha: 1.0, beta: 0.0, pad: 0);
    }

    [Theory]
    [MemberData(nameof(TransposesAndPaths))]
    public void AlphaBetaAndLeadingDimensionsAreHonoured(bool transA, bool transB, KernelPath path)
    {
        using var _ = new PathScope(path);
        var rng = new Random(7);
        (float Alpha, float Beta)[] scalings = [(1f, 1f), (-0.5f, 0.25f), (2f, 0f), (0.75f, -1f)];
        foreach (var (alpha, beta) in scalings)
            foreach (var (m, n, k) in new[] { (1, 9, 4), (7, 17, 33), (13, 35, 67), (67, 20, 5), (40, 67, 300) })
            {
                CheckSingle(rng, transA, transB, m, n, k, alpha, beta, pad: 3);
                CheckDouble(rng, transA, transB, m, n, k, alpha, beta, pad: 5);
            }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void LargeProductsCrossEveryBlockBoundary(KernelPath path)
    {
        using var _ = new PathScope(path);
        var rng = new Random(5);
        // m > mc (several row blocks, rows split over threads), k > kc (several depth blocks, beta then 1), n > nc.
        CheckSingle(rng, false, false, 150, 4097, 260, alpha: 1f, beta: 0.5f, pad: 1);
        CheckSingle(rng, true, true, 301, 77, 600, alpha: -1f, beta: 0f, pad: 0);
        CheckDouble(rng, true, false, 80, 2050, 260, alpha: 1.0, beta: 1.0, pad: 2);
        CheckDouble(rng, false, true, 200, 45, 520, alpha: 0.5, beta: 0.0, pad: 0);
    }

    // The Vector128 packers (GemmPacking128) through whole products: full 4-row and 8-column panels beside partial
    // ones, depths that are not multiples of 4 (a transpose tail), several depth blocks, padded leading dimensions.
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void PortablePackersGiveTheReferenceProduct(bool transA, bool transB)
    {
        using var _ = new PathScope(KernelPath.Portable);
        var rng = new Random(11);
        foreach (var (m, n, k) in new[] { (4, 8, 4), (5, 9, 3), (13, 19, 259), (37, 70, 515), (64, 128, 1030), (64, 256, 784) })
        {
            CheckSingle(rng, transA, transB, m, n, k, alpha: 1f, beta: 0f, pad: 0);
            CheckSingle(rng, transA, transB, m, n, k, alpha: -0.5f, beta: 0.25f, pad: 3);
        }
    }

    [Fact]
    public void BetaZeroOverwritesNaN()
    {
        foreach (var path in Paths)
        {
            using var _ = new PathScope(path);
            foreach (var (m, n, k) in new[] { (1, 5, 3), (6, 16, 8), (50, 70, 90) })
            {
                var a = Filled(m * k, 1f);
                var b = Filled(k * n, 2f);
                var c = Filled(m * n, float.NaN);
                Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
                Assert.All(c, v => Assert.Equal(2f * k, v));
                var cd = Enumerable.Repeat(double.NaN, m * n).ToArray();
                Gemm.Dgemm(false, false, m, n, k, 1.0, Array.ConvertAll(a, x => (double)x), k, Array.ConvertAll(b, x => (double)x), n, 0.0, cd, n);
                Assert.All(cd, v => Assert.Equal(2.0 * k, v));
            }
        }
    }

    [Fact]
    public void ZeroDepthOrZeroAlphaOnlyScalesC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 1, [], 2, 3f, c, 2);
        Assert.Equal(new float[] { 3, 6, 9, 12 }, c);
        var a = Filled(4, float.NaN);
        Gemm.Sgemm(false, false, 2, 2, 2, 0f, a, 2, a, 2, 0f, c, 2);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void MultiplyDispatchesOnElementType()
    {
        var rng = new Random(3);
        var a = RandomArray(rng, 6 * 5);
        var b = RandomArray(rng, 5 * 4);
        var cf = new float[24];
        var cs = new float[24];
        Gemm.Multiply<float>(false, false, 6, 4, 5, 1f, a, 5, b, 4, 0f, cf, 4);
        Gemm.Sgemm(false, false, 6, 4, 5, 1f, a, 5, b, 4, 0f, cs, 4);
        Assert.Equal(cs, cf);
        var ad = Array.ConvertAll(a, x => (double)x);
        var bd = Array.ConvertAll(b, x => (double)x);
        var cd = new double[24];
        var cdd = new double[24];
        Gemm.Multiply<double>(false, false, 6, 4, 5, 1.0, ad, 5, bd, 4, 0.0, cd, 4);
        Gemm.Dgemm(false, false, 6, 4, 5, 1.0, ad, 5, bd, 4, 0.0, cdd, 4);
        Assert.Equal(cdd, cd);
        Assert.Throws<NotSupportedException>(() => Gemm.Multiply<Half>(false, false, 1, 1, 1, Half.One, new Half[1], 1, new Half[1], 1, Half.Zero, new Half[1], 1));
    }

    [Fact]
    public void RejectsTooShortSpansAndLeadingDimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, new float[8], 3, new float[9], 3, 0f, new float[9], 3));
        Assert.Contains("a holds 8", ex.Message);
        var ld = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(true, false, 4, 3, 2, 1f, new float[8], 3, new float[6], 3, 0f, new float[12], 3));
        Assert.Equal("lda", ld.ParamName);
        Assert.Throws<ArgumentException>(() => Gemm.Dgemm(false, true, 2, 2, 2, 1.0, new double[4], 2, new double[4], 2, 0.0, new double[3], 2));
    }

    [Theory]
    [InlineData(false, 256, 784)] // a batch-1 Linear(784 -> 256): B's rows split between two threads
    [InlineData(true, 259, 600)]  // odd row count (a Dot tail in the second half), A transposed
    [InlineData(false, 100, 1000)] // 100 rows: split 48 + 52
    [InlineData(false, 128, 256)]  // a batch-1 Linear(256 -> 128): split too
    [InlineData(false, 84, 120)]   // below the threading threshold: one thread; a last single vector of depth
    public void SingleRowTimesLargeBTransposedIsBitIdenticalForOneAndTwoThreads(bool transA, int n, int k)
    {
        var rng = new Random(n + k);
        var a = RandomArray(rng, k);
        var b = RandomArray(rng, n * k);
        var c0 = RandomArray(rng, n);
        int saved = Threads.Max;
        try
        {
            Threads.Max = 1;
            var c1 = (float[])c0.Clone();
            Gemm.Sgemm(transA, true, 1, n, k, 1.5f, a, transA ? 1 : k, b, k, 0.5f, c1, n);
            Threads.Max = 2;
            for (int rep = 0; rep < 4; rep++)
            {
                var c2 = (float[])c0.Clone();
                Gemm.Sgemm(transA, true, 1, n, k, 1.5f, a, transA ? 1 : k, b, k, 0.5f, c2, n);
                for (int j = 0; j < n; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(c1[j]) == BitConverter.SingleToInt32Bits(c2[j]),
                        $"repetition {rep}: C[{j}] is {c1[j]} with 1 thread, {c2[j]} with 2");
            }
            for (int j = 0; j < n; j++)
            {
                double expected = 0.5 * c0[j];
                for (int p = 0; p < k; p++) expected += 1.5 * a[p] * (double)b[j * k + p];
                Assert.True(Math.Abs(c1[j] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"C[{j}] = {c1[j]}, expected {expected}");
            }
        }
        finally
        {
            Threads.Max = saved;
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(120)]
    [InlineData(125)]
    [InlineData(784)]
    public void SingleRowDotProductsDoNotDependOnTheirNeighbours(int k)
    {
        // Rows of B are summed four at a time, and the rest one at a time: each output must be the same float either
        // way (the same fused chains, lane tree and tail), so a row's result does not depend on how many rows B has.
        var rng = new Random(k);
        var a = RandomArray(rng, k);
        var b = RandomArray(rng, 7 * k);
        var all = new float[7];
        Gemm.Sgemm(false, true, 1, 7, k, 1f, a, k, b, k, 0f, all, 7);
        for (int j = 0; j < 7; j++)
        {
            var one = new float[1];
            Gemm.Sgemm(false, true, 1, 1, k, 1f, a, k, b.AsSpan(j * k, k).ToArray(), k, 0f, one, 1);
            Assert.True(BitConverter.SingleToInt32Bits(all[j]) == BitConverter.SingleToInt32Bits(one[0]),
                $"k = {k}: row {j} is {all[j]} among 7 rows, {one[0]} alone");
            double expected = 0;
            for (int p = 0; p < k; p++) expected += a[p] * (double)b[j * k + p];
            Assert.True(Math.Abs(one[0] - expected) <= 1e-5 * (1 + Math.Sqrt(k)), $"k = {k}: row {j} is {one[0]}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(false, false, 500, 260, 530)] // many rows: rows split over threads, several depth blocks
    [InlineData(true, true, 301, 77, 300)]    // few columns: rows split
    [InlineData(false, true, 64, 256, 784)]   // few rows: columns split over threads, depth blocks 262, 262, 260
    [InlineData(true, false, 256, 784, 64)]
    public void ResultsAreBitIdenticalForOneAndTwoThreads(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        var a = RandomArray(rng, m * k);
        var b = RandomArray(rng, k * n);
        var c0 = RandomArray(rng, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        int saved = Threads.Max;
        // A long wait for the worker on a busy machine would make the pool run the next products alone for a while.
        WorkerPool.Adaptive = false;
        try
        {
            foreach (var path in Paths)
            {
                using var _ = new PathScope(path);
                Threads.Max = 1;
                var c1 = (float[])c0.Clone();
                Gemm.Sgemm(transA, transB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c1, n);
                Assert.Equal(1, PackedGemm<float>.LastTeamSize);
                var d1 = c0.Select(x => (double)x).ToArray();
                Gemm.Dgemm(transA, transB, m, n, k, 1.5, a.Select(x => (double)x).ToArray(), lda, b.Select(x => (double)x).ToArray(), ldb, 0.5, d1, n);

                Threads.Max = 2;
                var c2 = (float[])c0.Clone();
                // Repeated: a race between the threads (one already packing the next depth block) shows only sometimes.
                for (int rep = 0; rep < 4; rep++)
                {
                    c0.CopyTo(c2, 0);
                    Gemm.Sgemm(transA, transB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c2, n);
                    Assert.Equal(2, PackedGemm<float>.LastTeamSize);
                    for (int i = 0; i < c1.Length; i++)
                        if (BitConverter.SingleToInt32Bits(c1[i]) != BitConverter.SingleToInt32Bits(c2[i]))
                            Assert.Fail($"{path}, repetition {rep}: C[{i / n},{i % n}] is {c1[i]} with 1 thread, {c2[i]} with 2");
                }
                var d2 = c0.Select(x => (double)x).ToArray();
                Gemm.Dgemm(transA, transB, m, n, k, 1.5, a.Select(x => (double)x).ToArray(), lda, b.Select(x => (double)x).ToArray(), ldb, 0.5, d2, n);
                Assert.Equal(2, PackedGemm<double>.LastTeamSize);

                for (int i = 0; i < d1.Length; i++)
                    if (BitConverter.DoubleToInt64Bits(d1[i]) != BitConverter.DoubleToInt64Bits(d2[i]))
                        Assert.Fail($"{path}: double C[{i / n},{i % n}] is {d1[i]} with 1 thread, {d2[i]} with 2");
            }
        }
        finally
        {
            Threads.Max = saved;
            WorkerPool.Adaptive = true;
        }
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        int saved = Threads.Max;
        try
        {
            Threads.Max = 2;
            var rng = new Random(11);
            var a = RandomArray(rng, 200 * 300);
            var b = RandomArray(rng, 300 * 250);
            var c = new float[200 * 250];
            var small = new float[300];
            for (int warm = 0; warm < 3; warm++)
            {
                Gemm.Sgemm(false, true, 200, 250, 300, 1f, a, 300, b, 300, 0f, c, 250);
                Gemm.Sgemm(false, false, 1, 250, 300, 1f, small, 300, b, 250, 0f, c, 250);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < 5; r++)
            {
                Gemm.Sgemm(false, true, 200, 250, 300, 1f, a, 300, b, 300, 0f, c, 250);
                Gemm.Sgemm(false, false, 1, 250, 300, 1f, small, 300, b, 250, 0f, c, 250);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Threads.Max = saved;
        }
    }

    private static void CheckSingle(Random rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        var a = RandomArray(rng, (transA ? k : m) * lda);
        var b = RandomArray(rng, (transB ? n : k) * ldb);
        var c = RandomArray(rng, m * ldc);
        var before = (float[])c.Clone();
        Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Verify(transA, transB, m, n, k, alpha, beta, ToDouble(a), lda, ToDouble(b), ldb, ToDouble(before), ToDouble(c), ldc, FloatTolerance);
    }

    private static void CheckDouble(Random rng, bool transA, bool transB, int m, int n, int k, double alpha, double beta, int pad)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        var a = RandomDoubles(rng, (transA ? k : m) * lda);
        var b = RandomDoubles(rng, (transB ? n : k) * ldb);
        var c = RandomDoubles(rng, m * ldc);
        var before = (double[])c.Clone();
        Gemm.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Verify(transA, transB, m, n, k, alpha, beta, a, lda, b, ldb, before, c, ldc, DoubleTolerance);
    }

    // Every element of C against the float64 reference; the padding columns of C (ldc > n) must be untouched.
    private static void Verify(bool transA, bool transB, int m, int n, int k, double alpha, double beta,
        double[] a, int lda, double[] b, int ldb, double[] before, double[] after, int ldc, double tol)
    {
        // Gather op(A) rows and op(B) columns contiguously so that the reference stays fast.
        var aRow = new double[k];
        var bCols = new double[n * k];
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++) bCols[j * k + p] = transB ? b[j * ldb + p] : b[p * ldb + j];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++) aRow[p] = transA ? a[p * lda + i] : a[i * lda + p];
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double prod = aRow[p] * bCols[j * k + p];
                    sum += prod;
                    abs += Math.Abs(prod);
                }
                double old = before[i * ldc + j];
                double expected = alpha * sum + (beta == 0 ? 0 : beta * old);
                double bound = tol * Math.Sqrt(k) * (Math.Abs(alpha) * abs + Math.Abs(beta * old)) + 1e-300;
                double actual = after[i * ldc + j];
                if (!(Math.Abs(actual - expected) <= bound))
                    Assert.Fail($"C[{i},{j}] = {actual}, expected {expected} ± {bound} (transA={transA}, transB={transB}, m={m}, n={n}, k={k}, alpha={alpha}, beta={beta}, fallback={Gemm.ForceFallback}, avx512={Gemm.UsesAvx512})");
            }
            for (int j = n; j < ldc; j++)
                Assert.Equal(before[i * ldc + j], after[i * ldc + j]);
        }
    }

    private static float[] RandomArray(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static double[] RandomDoubles(Random rng, int length)
    {
        var x = new double[length];
        for (int i = 0; i < length; i++) x[i] = rng.NextDouble() * 2 - 1;
        return x;
    }

    private static double[] ToDouble(float[] x) => Array.ConvertAll(x, v => (double)v);

    private static float[] Filled(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>Selects a kernel path for the duration of a test; the collection keeps such tests serial.</summary>
    private readonly struct PathScope : IDisposable
    {
        private readonly bool _savedFallback, _savedNoAvx512;

        public PathScope(KernelPath path)
        {
            _savedFallback = Gemm.ForceFallback;
            _savedNoAvx512 = Gemm.DisableAvx512;
            Gemm.ForceFallback = path == KernelPath.Portable;
            Gemm.DisableAvx512 = path == KernelPath.Avx2;
        }

        public void Dispose()
        {
            Gemm.ForceFallback = _savedFallback;
            Gemm.DisableAvx512 = _savedNoAvx512;
        }
    }
}
