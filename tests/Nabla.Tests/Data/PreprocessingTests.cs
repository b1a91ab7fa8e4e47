using Nabla.Data.Preprocessing;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

public class PreprocessingTests
{
    private static double[] Col(Tensor t, int j)
    {
        int n = t.Shape[0], d = t.Shape[1];
        return Enumerable.Range(0, n).Select(i => t.GetFlat(i * d + j)).ToArray();
    }

    private static double Var(double[] v) { double m = v.Average(); return v.Sum(x => (x - m) * (x - m)) / v.Length; }

    [Fact]
    public void StandardScalerGivesMeanZeroVarianceOneAndUsesOnlyTrainingStatistics()
    {
        // Column 0: 1,2,3,4 (mean 2.5, population variance 1.25); column 1: constant 7; column 2: 10,20,30,40.
        var train = Tensor.FromArray(new double[] { 1, 7, 10, 2, 7, 20, 3, 7, 30, 4, 7, 40 }, 4, 3);
        var s = new StandardScaler();
        var z = s.FitTransform(train);
        Assert.Equal(new[] { 2.5, 7, 25 }, s.Mean);
        Assert.Equal(Math.Sqrt(1.25), s.Scale[0], 12);
        Assert.Equal(1.0, s.Scale[1]);                    // constant feature: only centered
        for (int j = 0; j < 3; j++) Assert.Equal(0, Col(z, j).Average(), 12);
        Assert.Equal(1, Var(Col(z, 0)), 12);
        Assert.Equal(1, Var(Col(z, 2)), 12);
        Assert.Equal(new double[] { 0, 0, 0, 0 }, Col(z, 1));

        // The test set goes through the training statistics, not its own: (5 − 2.5)/√1.25 and (8 − 7)/1 and (0 − 25)/√125.
        var test = Tensor.FromArray(new double[] { 5, 8, 0, 5, 8, 0 }, 2, 3);
        var zt = s.Transform(test);
        Assert.Equal(2.5 / Math.Sqrt(1.25), zt[0, 0], 12);
        Assert.Equal(1.0, zt[0, 1], 12);
        Assert.Equal(-25 / Math.Sqrt(125), zt[1, 2], 12);
        Assert.NotEqual(0, Col(zt, 0).Average());         // were it fitted on test, this would be 0

        // Round trip through exported state and the inverse.
        var s2 = new StandardScaler();
        s2.ImportState(s.ExportState());
        TestUtil.AssertClose(zt.ToDoubleArray(), s2.Transform(test).ToDoubleArray(), 1e-15);
        TestUtil.AssertClose(test.ToDoubleArray(), s2.InverseTransform(zt).ToDoubleArray(), 1e-12);
        Assert.Throws<ShapeException>(() => s.Transform(Tensor.Zeros([2, 4], DType.Float64)));
        Assert.Throws<ValueException>(() => new StandardScaler().Transform(test));
    }

    [Fact]
    public void StandardScalerOnFloat32ImagesKeepsTheShape()
    {
        var x = Tensor.Uniform([50, 1, 2, 2], 0, 3, new Generator(4));
        var z = new StandardScaler().FitTransform(x);
        Assert.Equal(x.Shape, z.Shape);
        Assert.Equal(DType.Float32, z.DType);
        var flat = z.Reshape(50, 4);
        for (int j = 0; j < 4; j++) { Assert.Equal(0, Col(flat, j).Average(), 5); Assert.Equal(1, Var(Col(flat, j)), 4); }
    }

    [Fact]
    public void MinMaxScalerMapsTrainingRangeAndAppliesItToNewData()
    {
        var train = Tensor.FromArray(new double[] { 0, 5, 10, 5, 5, 5 }, 3, 2);
        var m = new MinMaxScaler(-1, 1);
        var z = m.FitTransform(train);
        Assert.Equal(new double[] { -1, 1, 0 }, Col(z, 0));   // column 0 is 0, 10, 5 over [0, 10]
        Assert.Equal(new double[] { -1, -1, -1 }, Col(z, 1));
        Assert.Equal(3.0, m.Transform(Tensor.FromArray(new double[] { 20, 5 }, 1, 2))[0, 0], 12);
    }

    /// <summary>Samples with known principal axes: independent normals of the given std along the columns of a rotation R.</summary>
    private static (Tensor X, double[,] R) Rotated(double[] stds, int n, int seed)
    {
        int d = stds.Length;
        var g = new Generator((ulong)seed);
        // A fixed orthonormal basis: 2-D rotation by 30°, or for 3-D a product of rotations about z and x.
        double[,] r;
        if (d == 2) { double a = Math.PI / 6; r = new[,] { { Math.Cos(a), -Math.Sin(a) }, { Math.Sin(a), Math.Cos(a) } }; }
        else
        {
            double a = 0.7, b = -0.4;
            var rz = new[,] { { Math.Cos(a), -Math.Sin(a), 0 }, { Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 1 } };
            var rx = new[,] { { 1, 0, 0 }, { 0, Math.Cos(b), -Math.Sin(b) }, { 0, Math.Sin(b), Math.Cos(b) } };
            r = new double[3, 3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i, j] += rz[i, k] * rx[k, j];
        }
        var x = new double[n * d];
        var s = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++) s[k] = stds[k] * g.NextNormal();
            for (int j = 0; j < d; j++)
            {
                double v = 3.0 + j; // a non-zero mean
                for (int k = 0; k < d; k++) v += r[j, k] * s[k];
                x[i * d + j] = v;
            }
        }
        return (Tensor.FromArray(x, n, d), r);
    }

    [Theory]
    [InlineData(new double[] { 3, 1 })]
    [InlineData(new double[] { 4, 2, 0.5 })]
    public void PcaRecoversAKnownRotation(double[] stds)
    {
        int d = stds.Length;
        var (x, r) = Rotated(stds, 20000, 11);
        var pca = PCA.WithComponents(d);
        pca.Fit(x);
        var comps = pca.ComponentsMatrix;
        double total = stds.Sum(s => s * s);
        for (int k = 0; k < d; k++)
        {
            // Component k is column k of R, up to sign.
            double dot = 0;
            for (int j = 0; j < d; j++) dot += comps[k, j] * r[j, k];
            Assert.True(Math.Abs(Math.Abs(dot) - 1) < 2e-3, $"component {k}: |cos| = {Math.Abs(dot)}");
            Assert.Equal(stds[k] * stds[k], pca.ExplainedVariance[k], stds[k] * stds[k] * 0.04);
            Assert.Equal(stds[k] * stds[k] / total, pca.ExplainedVarianceRatio[k], 0.01);
        }
        // Projections are uncorrelated with the eigenvalues as variances; the full inverse is exact.
        var z = pca.Transform(x);
        Assert.Equal(pca.ExplainedVariance[0], Var(Col(z, 0)), 9);
        TestUtil.AssertClose(x.ToDoubleArray(), pca.InverseTransform(z).ToDoubleArray(), 1e-9);
        // A variance fraction picks the smallest k reaching it.
        var byFraction = PCA.WithVarianceFraction(0.5);
        byFraction.Fit(x);
        Assert.Equal(1, byFraction.Components);
        var restored = PCA.WithComponents(1);
        restored.ImportState(pca.ExportState());
        TestUtil.AssertClose(z.ToDoubleArray(), restored.Transform(x).ToDoubleArray(), 1e-15);
    }

    [Fact]
    public void EigenSolverMatchesAHandComputedMatrix()
    {
        // [[2,1],[1,2]] has eigenvalues 3 (axis (1,1)/√2) and 1 (axis (1,−1)/√2).
        var (values, vectors) = SymmetricEigen.Decompose(new double[] { 2, 1, 1, 2 }, 2);
        Assert.Equal(3, values[0], 12);
        Assert.Equal(1, values[1], 12);
        Assert.Equal(1 / Math.Sqrt(2), vectors[0], 12);
        Assert.Equal(1 / Math.Sqrt(2), vectors[1], 12);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(vectors[2]), 12);
        Assert.Equal(-vectors[2], vectors[3], 12);
        // A random symmetric 12x12: A·v = λ·v for every pair, vectors orthonormal.
        int d = 12;
        var g = new Generator(5);
        var a = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = i; j < d; j++) a[i * d + j] = a[j * d + i] = g.NextNormal();
        (values, vectors) = SymmetricEigen.Decompose(a, d);
        for (int k = 0; k < d; k++)
            for (int i = 0; i < d; i++)
            {
                double av = 0;
                for (int j = 0; j < d; j++) av += a[i * d + j] * vectors[k * d + j];
                Assert.Equal(values[k] * vectors[k * d + i], av, 10);
            }
        for (int k = 0; k < d; k++)
            for (int l = 0; l < d; l++)
                Assert.Equal(k == l ? 1 : 0, Enumerable.Range(0, d).Sum(j => vectors[k * d + j] * vectors[l * d + j]), 10);
    }

    private static double[,] Cov(Tensor z)
    {
        int n = z.Shape[0], d = z.Shape[1];
        var m = Enumerable.Range(0, d).Select(j => Col(z, j).Average()).ToArray();
        var c = new double[d, d];
        for (int i = 0; i < n; i++) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) c[a, b] += (z[i, a] - m[a]) * (z[i, b] - m[b]) / n;
        return c;
    }

    [Theory]
    [InlineData(WhiteningKind.PCA)]
    [InlineData(WhiteningKind.ZCA)]
    public void WhitenedTrainingDataHasIdentityCovariance(WhiteningKind kind)
    {
        var (x, _) = Rotated([4, 2, 0.5], 3000, 3);
        var w = new Whitening(kind, epsilon: 0);
        var z = w.FitTransform(x);
        var c = Cov(z);
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) Assert.Equal(a == b ? 1 : 0, c[a, b], 9);
        // With epsilon the variances shrink to λ/(λ+ε) (here λ₃ ≈ 0.25).
        var we = new Whitening(kind, epsilon: 0.25);
        var ce = Cov(we.FitTransform(x));
        double trace = ce[0, 0] + ce[1, 1] + ce[2, 2];
        Assert.InRange(trace, 2.0, 2.85);
    }

    [Fact]
    public void ZcaStaysClosestToTheOriginalData()
    {
        var (x, _) = Rotated([4, 2, 0.5], 3000, 3);
        var zca = new Whitening(WhiteningKind.ZCA, 0).FitTransform(x);
        var pca = new Whitening(WhiteningKind.PCA, 0).FitTransform(x);
        // Every whitening is Q·Σ^(−1/2) for an orthogonal Q; ZCA is the one with the least squared distance to the centered
        // data. Check it against PCA whitening and against ZCA followed by other rotations.
        var m = new Whitening(WhiteningKind.ZCA, 0);
        m.Fit(x);
        var mat = m.Matrix;
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) Assert.Equal(mat[a, b], mat[b, a], 12);
        var xc = x.ToDoubleArray();
        var mean = Enumerable.Range(0, 3).Select(j => Col(x, j).Average()).ToArray();
        double DistRaw(Func<int, int, double> z) { double s = 0; for (int i = 0; i < 3000; i++) for (int j = 0; j < 3; j++) { double e = xc[i * 3 + j] - mean[j] - z(i, j); s += e * e; } return s; }
        double dz = DistRaw((i, j) => zca[i, j]);
        double dturn = DistRaw((i, j) => j == 0 ? -zca[i, 1] : j == 1 ? zca[i, 0] : zca[i, 2]);
        Assert.True(dz < dturn);
        double c = Math.Cos(0.1), s = Math.Sin(0.1);   // a small turn of axes 1 and 2
        Assert.True(dz < DistRaw((i, j) => j == 1 ? c * zca[i, 1] - s * zca[i, 2] : j == 2 ? s * zca[i, 1] + c * zca[i, 2] : zca[i, 0]));
        Assert.True(dz < DistRaw((i, j) => pca[i, j]));
    }

    [Fact]
    public void EncodersMapLabelsBothWaysAndExportState()
    {
        var le = new LabelEncoder<string>();
        var codes = le.FitTransform(["cat", "dog", "ant", "dog"]);
        Assert.Equal(new[] { 1, 2, 0, 2 }, codes);
        Assert.Equal(new[] { "ant", "cat", "dog" }, le.Classes);
        Assert.Equal(new[] { "dog", "ant" }, le.InverseTransform([2, 0]));
        var le2 = new LabelEncoder<string>();
        le2.ImportState(le.ExportState());
        Assert.Equal(codes, le2.Transform(["cat", "dog", "ant", "dog"]));
        Assert.Throws<ValueException>(() => le.Transform(["bird"]));

        var ln = new LabelEncoder<int>();
        Assert.Equal(new[] { 2, 0, 1 }, ln.FitTransform([9, 3, 7]));
        var ln2 = new LabelEncoder<int>();
        ln2.ImportState(ln.ExportState());
        Assert.Equal(new[] { 3, 7, 9 }, ln2.Classes);

        var oh = new OneHotEncoder();
        oh.Fit([0, 2, 1]);
        Assert.Equal(3, oh.NumClasses);
        var t = oh.Transform([2, 0]);
        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 0f, 0f }, t.ToArray());
        Assert.Equal(new[] { 2, 0 }, oh.InverseTransform(t));
        Assert.Throws<ValueException>(() => oh.Transform([3]));
        var oh2 = new OneHotEncoder();
        oh2.ImportState(oh.ExportState());
        Assert.Equal(3, oh2.NumClasses);
    }
}
