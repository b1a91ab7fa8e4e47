using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The transforms of the Winograd F(3×3, 2×2) weight gradient (<see cref="ConvWinogradWeightAvx2"/>): the matrices of
/// its doc comment, and the kernel exact on small integers; the geometries, thread counts and selection are tested with
/// the forward pass in <see cref="ConvWinogradTests"/>. The kernel test runs with AVX-512 disabled and does nothing
/// without AVX2/FMA (Winograd never runs there); it flips process-wide switches, so it runs in the serial GEMM
/// collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvWinogradWeightTests
{
    // The matrices of the kernel's doc comment: Aᵀ [(G e Gᵀ) ⊙ (Bᵀ d B)] A is the 3 × 3 correlation of d (4 × 4) with e (2 × 2).
    [Fact]
    public void TheTransformsGiveTheCorrelation()
    {
        double[,] bt = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } };
        double[,] gm = { { 1, 0 }, { 0.5, 0.5 }, { 0.5, -0.5 }, { 0, -1 } };
        double[,] at = { { 1, 1, 1, 0 }, { 0, 1, -1, 0 }, { 0, 1, 1, 1 } };
        var r = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            var e = new double[2, 2];
            var d = new double[4, 4];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) e[i, j] = r.Next(-9, 10);
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) d[i, j] = r.Next(-9, 10);
            var m = Hadamard(Mul(Mul(gm, e), T(gm)), Mul(Mul(bt, d), T(bt)));
            var y = Mul(Mul(at, m), T(at));
            for (int u = 0; u < 3; u++)
                for (int v = 0; v < 3; v++)
                    Assert.Equal(e[0, 0] * d[u, v] + e[0, 1] * d[u, v + 1] + e[1, 0] * d[u + 1, v] + e[1, 1] * d[u + 1, v + 1], y[u, v]);
        }
    }

    // One tile, integer values: every intermediate is exact, so the kernel's transforms must give the exact correlation.
    [Theory]
    [InlineData(4, 4, 0)] // one whole tile
    [InlineData(3, 5, 1)] // a partial tile row: dy zero-extended, x zero past the padding
    public void TinyIntegerCaseIsExact(int h, int w, int pad)
    {
        bool savedAvx512 = Gemm.DisableAvx512, savedForce = ConvWinogradAvx2.Force;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return;
            ConvWinogradAvx2.Force = true;
            var g = new Conv2dGeometry(1, 1, h, w, 1, 3, 3, padH: pad, padW: pad);
            Assert.True(ConvWinogradAvx2.AppliesBackwardWeight(g));
            var r = new Random(h * 10 + w);
            float[] x = Enumerable.Range(0, g.InputLength).Select(_ => (float)r.Next(-9, 10)).ToArray();
            float[] dy = Enumerable.Range(0, g.OutputLength).Select(_ => (float)r.Next(-9, 10)).ToArray();
            var dw = new float[9];
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            var expected = new double[9];
            ConvolutionTests.ForEachTerm(g, (o, xi, wi) => expected[wi] += (double)x[xi] * dy[o]);
            Assert.Equal(expected, dw.Select(v => (double)v).ToArray());
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            ConvWinogradAvx2.Force = savedForce;
        }
    }

    private static double[,] Mul(double[,] a, double[,] b)
    {
        var o = new double[a.GetLength(0), b.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < b.GetLength(1); j++)
                for (int t = 0; t < a.GetLength(1); t++) o[i, j] += a[i, t] * b[t, j];
        return o;
    }

    private static double[,] T(double[,] a)
    {
        var o = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) o[j, i] = a[i, j];
        return o;
    }

    private static double[,] Hadamard(double[,] a, double[,] b)
    {
        var o = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) o[i, j] = a[i, j] * b[i, j];
        return o;
    }
}
