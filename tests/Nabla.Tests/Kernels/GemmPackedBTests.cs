using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// A B operand packed once (<see cref="GemmPackedB{T}"/>, a recurrent layer's W_hh) and multiplied by several A's: the
/// results are bit for bit those of <see cref="Gemm.Sgemm"/> on its packed path, on every kernel path and thread count,
/// and match a float64 reference.
/// </summary>
[Collection(GemmCollection.Name)]
public class GemmPackedBTests
{
    public static TheoryData<int, bool> PathsAndTransposes()
    {
        var data = new TheoryData<int, bool>();
        foreach (int path in new[] { 0, 1, 2 }) // best, AVX2 forced, portable Vector128 forced
            foreach (bool transB in new[] { false, true })
                data.Add(path, transB);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void PackedProductsAreBitIdenticalToUnpackedOnes(int path, bool transB)
    {
        bool savedFallback = Gemm.ForceFallback, savedNo512 = Gemm.DisableAvx512;
        int savedThreads = Threads.Max;
        try
        {
            Gemm.ForceFallback = path == 2;
            Gemm.DisableAvx512 = path == 1;
            var rng = new Random(17 + path);
            var packed = new GemmPackedB<float>();
            // (m, n, k): an LSTM step's shapes, edges in every direction, several depth blocks, several column blocks.
            foreach (var (m, n, k) in new[] { (64, 512, 128), (64, 128, 512), (7, 33, 67), (13, 45, 801), (9, 5000, 700), (2, 17, 200) })
            {
                int ldb = transB ? k + 3 : n + 3;
                var b = Random(rng, (transB ? n : k) * ldb);
                packed.Pack(transB, n, k, b, ldb);
                Assert.Equal(n, packed.N);
                Assert.Equal(k, packed.K);
                for (int use = 0; use < 2; use++) // the same packing serves several products
                {
                    bool transA = use == 1;
                    int lda = (transA ? m : k) + 1, ldc = n + 2;
                    var a = Random(rng, (transA ? k : m) * lda);
                    var c0 = Random(rng, m * ldc);
                    float alpha = use == 0 ? 1f : -0.75f, beta = use == 0 ? 0f : 0.5f;
                    foreach (int threads in new[] { 1, 2 })
                    {
                        Threads.Max = threads;
                        var expected = (float[])c0.Clone();
                        Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
                        var actual = (float[])c0.Clone();
                        Gemm.MultiplyPacked(transA, m, alpha, a, lda, packed, beta, actual, ldc);
                        for (int i = 0; i < actual.Length; i++)
                            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                                $"m={m} n={n} k={k} transA={transA} threads={threads}: C[{i}] is {actual[i]} packed, {expected[i]} unpacked");
                        CheckReference(transA, transB, m, n, k, alpha, beta, a, lda, b, ldb, c0, actual, ldc);
                    }
                }
            }
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            Gemm.DisableAvx512 = savedNo512;
            Threads.Max = savedThreads;
        }
    }

    [Fact]
    public void DoublePackedProductMatchesDgemm()
    {
        var rng = new Random(5);
        int m = 20, n = 70, k = 300;
        var b = Array.ConvertAll(Random(rng, n * k), v => (double)v);
        var a = Array.ConvertAll(Random(rng, m * k), v => (double)v);
        var expected = new double[m * n];
        var actual = new double[m * n];
        Gemm.Dgemm(false, true, m, n, k, 1.0, a, k, b, k, 0.0, expected, n);
        var packed = new GemmPackedB<double>();
        packed.Pack(true, n, k, b, k);
        Gemm.MultiplyPacked(false, m, 1.0, a, k, packed, 0.0, actual, n);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void BadOperandsAreRejectedWithTheirNames()
    {
        var packed = new GemmPackedB<float>();
        var ex = Assert.Throws<InvalidOperationException>(() => Gemm.MultiplyPacked(false, 2, 1f, new float[8], 4, packed, 0f, new float[8], 4));
        Assert.Contains("not been packed", ex.Message);
        var bad = Assert.Throws<ArgumentException>(() => packed.Pack(false, 4, 4, new float[15], 4));
        Assert.Contains("b holds 15 elements", bad.Message);
        packed.Pack(false, 4, 4, new float[16], 4);
        var badA = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPacked(false, 3, 1f, new float[11], 4, packed, 0f, new float[12], 4));
        Assert.Contains("a holds 11 elements", badA.Message);
        var badC = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPacked(false, 3, 1f, new float[12], 4, packed, 0f, new float[11], 4));
        Assert.Contains("c holds 11 elements", badC.Message);
    }

    private static void CheckReference(bool transA, bool transB, int m, int n, int k, float alpha, float beta,
        float[] a, int lda, float[] b, int ldb, float[] before, float[] after, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double prod = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += prod;
                    abs += Math.Abs(prod);
                }
                double old = before[i * ldc + j];
                double expected = alpha * sum + (beta == 0 ? 0 : beta * old);
                double bound = 1e-5 * Math.Sqrt(k) * (Math.Abs(alpha) * abs + Math.Abs(beta * old)) + 1e-30;
                Assert.True(Math.Abs(after[i * ldc + j] - expected) <= bound, $"C[{i},{j}] = {after[i * ldc + j]}, expected {expected} ± {bound}");
            }
            for (int j = n; j < ldc; j++) Assert.Equal(before[i * ldc + j], after[i * ldc + j]);
        }
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
