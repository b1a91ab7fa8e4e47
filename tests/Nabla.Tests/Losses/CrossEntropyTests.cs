using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

public class CrossEntropyTests
{
    private static readonly double[,] X = { { 1, 2, 0 }, { -1, 0.5, 3 }, { 0.2, 0.1, -0.4 }, { 2, 2, 1 } };
    private static readonly int[] Labels = [0, 2, 1, 1];

    /// <summary>−Σ_c w_c·t_c·log softmax(x)_c for one row, with the softmax written out naively.</summary>
    private static double Reference(double[,] x, int row, double[] t, double[]? w = null)
    {
        int k = x.GetLength(1);
        double z = 0;
        for (int c = 0; c < k; c++) z += Math.Exp(x[row, c]);
        double l = 0;
        for (int c = 0; c < k; c++) l -= (w?[c] ?? 1) * t[c] * Math.Log(Math.Exp(x[row, c]) / z);
        return l;
    }

    private static double[] OneHot(int label, int k, double eps = 0)
    {
        var t = new double[k];
        for (int c = 0; c < k; c++) t[c] = (c == label ? 1 - eps : 0) + eps / k;
        return t;
    }

    private static Tensor LabelTensor(int[] labels, DType dtype = DType.Float64) =>
        Tensor.FromArray(labels.Select(v => (double)v).ToArray(), labels.Length).ToDType(dtype);

    [Fact]
    public void LectureExample()
    {
        // softmax([0, 0.006, 0.12]) = [0.319, 0.321, 0.36]; −ln(0.321) = 1.1363 (the lecture rounds the probability)
        var loss = new CrossEntropy().Forward(T64(new double[,] { { 0, 0.006, 0.12 } }), [1]);
        Assert.Equal(-Math.Log(Math.Exp(0.006) / (1 + Math.Exp(0.006) + Math.Exp(0.12))), loss.Item(), 12);
        Assert.Equal(1.1363, loss.Item(), 3);
    }

    [Fact]
    public void ClassLabelsAsTensorOrIntArrayOrOneHotRows()
    {
        double[] expected = Labels.Select((y, i) => Reference(X, i, OneHot(y, 3))).ToArray();
        AllReductions(r => new CrossEntropy(r).Forward(T64(X), Labels), expected);
        AllReductions(r => new CrossEntropy(r).Forward(T64(X), LabelTensor(Labels)), expected);
        AllReductions(r => new CrossEntropy(r).Forward(T64(X), Tensor.OneHot(Labels, 3, DType.Float64)), expected);
        AllReductions(r => new CrossEntropy(r).Forward(T32(X), LabelTensor(Labels, DType.Float32)), expected, tol: 1e-6);
        AllReductions(r => new CrossEntropy(r).Forward(T32(X), Labels), expected, tol: 1e-6);
    }

    [Fact]
    public void SoftTargets()
    {
        var t = new double[,] { { 0.2, 0.5, 0.3 }, { 0, 0, 1 }, { 0.6, 0.4, 0 }, { 1.0 / 3, 1.0 / 3, 1.0 / 3 } };
        double[] expected = Enumerable.Range(0, 4).Select(i => Reference(X, i, [t[i, 0], t[i, 1], t[i, 2]])).ToArray();
        AllReductions(r => new CrossEntropy(r).Forward(T64(X), T64(t)), expected);
    }

    [Fact]
    public void LabelSmoothingMixesInTheUniformDistribution()
    {
        // ε = 0.3, K = 3: label 0 becomes [0.8, 0.1, 0.1]
        double[] expected = Labels.Select((y, i) => Reference(X, i, OneHot(y, 3, 0.3))).ToArray();
        AllReductions(r => new CrossEntropy(r, labelSmoothing: 0.3).Forward(T64(X), Labels), expected);
        AllReductions(r => new CrossEntropy(r, labelSmoothing: 0.3).Forward(T64(X), Tensor.OneHot(Labels, 3, DType.Float64)), expected);
        AllReductions(r => new CrossEntropy(r, labelSmoothing: 0.3).Forward(T32(X), Labels), expected, tol: 1e-6);
        // by hand for row 0: lse = ln(e + e² + 1); loss = 0.8(lse − 1) + 0.1(lse − 2) + 0.1(lse − 0) = lse − 1.0
        Assert.Equal(Math.Log(Math.E + Math.Exp(2) + 1) - 1.0, new CrossEntropy(Reduction.None, 0.3).Forward(T64(X), Labels).GetFlat(0), 12);
    }

    [Fact]
    public void ClassWeightsGiveAWeightedMeanOverTheLabels()
    {
        double[] w = [1, 2, 0.5];
        double[] expected = Labels.Select((y, i) => Reference(X, i, OneHot(y, 3), w)).ToArray();
        double labelWeights = 1 + 0.5 + 2 + 2; // w of labels 0, 2, 1, 1
        AllReductions(r => new CrossEntropy(r, classWeights: w).Forward(T64(X), Labels), expected, labelWeights);
        AllReductions(r => new CrossEntropy(r, classWeights: w).Forward(T32(X), Labels), expected, labelWeights, tol: 1e-6);

        // with smoothing, every class term carries its own weight
        double[] smoothed = Labels.Select((y, i) => Reference(X, i, OneHot(y, 3, 0.2), w)).ToArray();
        AllReductions(r => new CrossEntropy(r, 0.2, w).Forward(T64(X), Labels), smoothed, labelWeights);

        // soft targets average over N
        var t = new double[,] { { 0.2, 0.5, 0.3 }, { 0, 0, 1 }, { 0.6, 0.4, 0 }, { 0.1, 0.1, 0.8 } };
        double[] soft = Enumerable.Range(0, 4).Select(i => Reference(X, i, [t[i, 0], t[i, 1], t[i, 2]], w)).ToArray();
        AllReductions(r => new CrossEntropy(r, classWeights: w).Forward(T64(X), T64(t)), soft);
    }

    [Fact]
    public void HugeLogitsStayFiniteAndExact()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var x = T64(new double[,] { { 1000, 0, -1000 }, { 1000, 0, -1000 } }).ToDType(dtype);
            x.RequiresGrad = true;
            var perSample = new CrossEntropy(Reduction.None).Forward(x, [0, 2]);
            Assert.Equal([0.0, 2000.0], perSample.ToDoubleArray());
            var loss = new CrossEntropy(Reduction.Sum).Forward(x, [0, 2]);
            loss.Backward();
            // softmax ≈ [1, 0, 0]; minus the one-hot rows
            AssertClose([0, 0, 0, 1, 0, -1], x.Grad!.ToDoubleArray(), 1e-12);

            var soft = new CrossEntropy(Reduction.None, labelSmoothing: 0.1).Forward(x, Tensor.OneHot([0, 2], 3, dtype));
            // (1 − ε + ε/3)·0 + ε/3·1000 + ε/3·2000 for row 0
            AssertClose([0.1 / 3 * 3000, 0.1 / 3 * (0 + 1000) + (0.9 + 0.1 / 3) * 2000], soft.ToDoubleArray(), 1e-7);
        }
    }

    [Fact]
    public void GradientIsSoftmaxMinusTarget()
    {
        var x = T64(X, grad: true);
        new CrossEntropy(Reduction.Sum).Forward(x, Labels).Backward();
        var g = x.Grad!.ToDoubleArray();
        for (int i = 0; i < 4; i++)
        {
            double z = Math.Exp(X[i, 0]) + Math.Exp(X[i, 1]) + Math.Exp(X[i, 2]);
            for (int c = 0; c < 3; c++)
                Assert.Equal(Math.Exp(X[i, c]) / z - (c == Labels[i] ? 1 : 0), g[i * 3 + c], 12);
        }
    }

    [Fact]
    public void GradientChecks()
    {
        var x = Rand64([4, 5], 21, -3, 3);
        int[] labels = [4, 0, 2, 2];
        var labelTensor = LabelTensor(labels);
        var soft = Tensor.Uniform([4, 5], 0.05, 1, new Generator(22), DType.Float64);
        soft.RequiresGrad = true;
        double[] w = [0.5, 1, 2, 1.5, 0.25];
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            AssertGradients(() => new CrossEntropy(r).Forward(x, labels), x);
            AssertGradients(() => new CrossEntropy(r).Forward(x, labelTensor), x);
            AssertGradients(() => new CrossEntropy(r, labelSmoothing: 0.15).Forward(x, labels), x);
            AssertGradients(() => new CrossEntropy(r, classWeights: w).Forward(x, labels), x);
            AssertGradients(() => new CrossEntropy(r, 0.15, w).Forward(x, labels), x);
            AssertGradients(() => new CrossEntropy(r).Forward(x, soft), x, soft);
            AssertGradients(() => new CrossEntropy(r, 0.15, w).Forward(x, soft), x, soft);
        }
    }

    [Fact]
    public void Float32GradientsAgreeWithFloat64()
    {
        var x64 = Rand64([6, 7], 23, -5, 5);
        var x32 = x64.Detach().ToDType(DType.Float32);
        x32.RequiresGrad = true;
        int[] labels = [0, 6, 3, 3, 1, 5];
        new CrossEntropy(labelSmoothing: 0.1, classWeights: [1, 2, 1, 0.5, 1, 1, 3]).Forward(x64, labels).Backward();
        new CrossEntropy(labelSmoothing: 0.1, classWeights: [1, 2, 1, 0.5, 1, 1, 3]).Forward(x32, labels).Backward();
        AssertClose(x64.Grad!.ToDoubleArray(), x32.Grad!.ToDoubleArray(), 1e-6);
    }

    [Fact]
    public void IsOneAutogradNodeOnTheLogits()
    {
        var x = Rand64([64, 10], 24);
        var loss = new CrossEntropy(labelSmoothing: 0.1).Forward(x, new int[64]);
        Assert.Equal("cross_entropy", loss.GradFnName);
        var inputs = loss.Node!.Inputs;
        Assert.Single(inputs);
        Assert.Same(x, inputs[0]);
    }

    [Fact]
    public void LabelOutOfRangeNamesLabelRowAndRange()
    {
        var x = Tensor.Zeros([5, 10]);
        var e = Assert.Throws<ValueException>(() => new CrossEntropy().Forward(x, [1, 2, 3, 10, 0]));
        Assert.Equal("CrossEntropy: label 10 at row 3 is out of range [0, 10)", e.Message);
        var n = Assert.Throws<ValueException>(() => new CrossEntropy().Forward(x, LabelTensor([1, -1, 3, 4, 0], DType.Float32)));
        Assert.Equal("CrossEntropy: label -1 at row 1 is out of range [0, 10)", n.Message);
        var f = Assert.Throws<ValueException>(() => new CrossEntropy().Forward(x, Tensor.FromArray([1.0, 2.5, 0, 0, 0], 5)));
        Assert.Contains("label 2.5 at row 1 is not a whole number", f.Message);
    }

    [Fact]
    public void ShapeErrorsNameExpectedAndActual()
    {
        var x = Tensor.Zeros([4, 3]);
        var a = Assert.Throws<ShapeException>(() => new CrossEntropy().Forward(x, [0, 1, 2]));
        Assert.Equal("CrossEntropy: 3 labels given for 4 samples; expected [4]", a.Message);
        var b = Assert.Throws<ShapeException>(() => new CrossEntropy().Forward(x, Tensor.Zeros([4, 4])));
        Assert.Contains("target shape [4,4]", b.Message);
        Assert.Contains("[4,3]", b.Message);
        var c = Assert.Throws<ShapeException>(() => new CrossEntropy().Forward(Tensor.Zeros([4]), [0, 1, 2, 0]));
        Assert.Contains("expected [N, K]", c.Message);
        var d = Assert.Throws<ShapeException>(() => new CrossEntropy(classWeights: [1, 2]).Forward(x, [0, 1, 2, 0]));
        Assert.Equal("CrossEntropy: 2 class weights given for 3 classes; expected [3]", d.Message);
        Assert.Throws<ShapeException>(() => new CrossEntropy().Forward(x, Tensor.Zeros([3])));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ValueException>(() => new CrossEntropy(labelSmoothing: 1));
        Assert.Throws<ValueException>(() => new CrossEntropy(labelSmoothing: -0.1));
        Assert.Throws<ValueException>(() => new CrossEntropy(classWeights: [1, -1]));
        var e = Assert.Throws<ValueException>(() => new CrossEntropy(classWeights: [0, 1]).Forward(Tensor.Zeros([2, 2]), [0, 0]));
        Assert.Contains("weighted mean is undefined", e.Message);
    }
}
