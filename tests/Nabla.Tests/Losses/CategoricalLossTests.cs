using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

/// <summary>CategoricalCrossEntropy (probabilities, one-hot or soft targets) and SparseCategoricalCrossEntropy (integer labels).</summary>
public class CategoricalLossTests
{
    private static readonly double[,] P = { { 0.7, 0.2, 0.1 }, { 0.25, 0.25, 0.5 } };

    [Fact]
    public void CategoricalCrossEntropySumsOverClasses()
    {
        var y = new double[,] { { 1, 0, 0 }, { 0.5, 0, 0.5 } };
        double[] expected = [-Math.Log(0.7), -(0.5 * Math.Log(0.25) + 0.5 * Math.Log(0.5))];
        AllReductions(r => new CategoricalCrossEntropy(r).Forward(T64(P), T64(y)), expected);
        AllReductions(r => new CategoricalCrossEntropy(r).Forward(T32(P), T32(y)), expected, tol: 1e-6);
    }

    [Fact]
    public void LectureDistributions()
    {
        // cross-entropy of distribution 1 (1/3, 1/2, 1/6) over distribution 2 (1/4, 1/2, 1/4), natural logarithm
        var p1 = new double[,] { { 1.0 / 3, 0.5, 1.0 / 6 } };
        var p2 = new double[,] { { 0.25, 0.5, 0.25 } };
        double h = new CategoricalCrossEntropy().Forward(T64(p2), T64(p1)).Item();
        Assert.Equal(1.0 / 3 * Math.Log(4) + 0.5 * Math.Log(2) + 1.0 / 6 * Math.Log(4), h, 12);
        // and it exceeds the entropy of distribution 1
        Assert.True(h > new CategoricalCrossEntropy().Forward(T64(p1), T64(p1)).Item());
    }

    [Fact]
    public void ZeroProbabilitiesNeverGiveNaN()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var p = T64(new double[,] { { 0, 1, 0 }, { 0, 1, 0 } }).ToDType(dtype);
            p.RequiresGrad = true;
            var y = T64(new double[,] { { 0, 1, 0 }, { 1, 0, 0 } }).ToDType(dtype);
            var perSample = new CategoricalCrossEntropy(Reduction.None).Forward(p, y);
            // right with certainty: 0 (0·log 0 terms vanish); wrong with certainty: −ln ε
            AssertClose([0, -Math.Log(1e-7)], perSample.ToDoubleArray(), 1e-6);
            var loss = new CategoricalCrossEntropy().Forward(p, y);
            loss.Backward();
            AllFinite(p.Grad!);
        }
    }

    [Fact]
    public void SparseOnLogitsMatchesTheSoftmaxFormula()
    {
        var x = new double[,] { { 1, 2, 0 }, { -1, 0.5, 3 }, { 0.2, 0.1, -0.4 } };
        int[] labels = [2, 0, 1];
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++)
        {
            double z = Math.Exp(x[i, 0]) + Math.Exp(x[i, 1]) + Math.Exp(x[i, 2]);
            expected[i] = -Math.Log(Math.Exp(x[i, labels[i]]) / z);
        }
        AllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: true).Forward(T64(x), labels), expected);
        AllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: true).Forward(T64(x), Tensor.FromArray([2.0, 0, 1], 3)), expected);
        AllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: true).Forward(T32(x), labels), expected, tol: 1e-6);
    }

    [Fact]
    public void SparseOnProbabilities()
    {
        AllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: false).Forward(T64(P), [0, 2]), [-Math.Log(0.7), -Math.Log(0.5)]);
        AllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: false).Forward(T32(P), Tensor.FromArray([0f, 2f], 2)), [-Math.Log(0.7), -Math.Log(0.5)], tol: 1e-6);
        // a zero probability at the label: finite
        var p = T64(new double[,] { { 1, 0 } }, grad: true);
        var loss = new SparseCategoricalCrossEntropy(fromLogits: false).Forward(p, [1]);
        Assert.Equal(-Math.Log(1e-7), loss.Item(), 9);
        loss.Backward();
        AllFinite(p.Grad!);
    }

    [Fact]
    public void SparseLabelErrors()
    {
        var x = Tensor.Zeros([5, 10]);
        var e = Assert.Throws<ValueException>(() => new SparseCategoricalCrossEntropy(fromLogits: true).Forward(x, Tensor.FromArray([0f, 1, 2, 10, 4], 5)));
        Assert.Equal("SparseCategoricalCrossEntropy: label 10 at row 3 is out of range [0, 10)", e.Message);
        var p = Assert.Throws<ValueException>(() => new SparseCategoricalCrossEntropy(fromLogits: false).Forward(x, [0, 1, 2, 3, 11]));
        Assert.Equal("SparseCategoricalCrossEntropy: label 11 at row 4 is out of range [0, 10)", p.Message);
        var s = Assert.Throws<ShapeException>(() => new SparseCategoricalCrossEntropy(fromLogits: true).Forward(x, Tensor.Zeros([5, 10])));
        Assert.Contains("labels of shape [5,10] do not fit 5 samples", s.Message);
    }

    [Fact]
    public void CategoricalShapeErrors()
    {
        var e = Assert.Throws<ShapeException>(() => new CategoricalCrossEntropy().Forward(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])));
        Assert.Contains("CategoricalCrossEntropy: target shape [2,4] differs from prediction shape [2,3]", e.Message);
        Assert.Throws<ShapeException>(() => new CategoricalCrossEntropy().Forward(Tensor.Zeros([6]), Tensor.Zeros([6])));
    }

    [Fact]
    public void Gradients()
    {
        var p = Rand64([3, 4], 31, 0.05, 1);
        var y = Rand64([3, 4], 32, 0, 1);
        GradientsForAllReductions(r => new CategoricalCrossEntropy(r), p, y, targetToo: true);

        var x = Rand64([3, 4], 33, -3, 3);
        var labels = Tensor.FromArray([3.0, 0, 1], 3);
        GradientsForAllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: true), x, labels, targetToo: false);
        GradientsForAllReductions(r => new SparseCategoricalCrossEntropy(r, fromLogits: false), p, labels, targetToo: false);
    }
}
