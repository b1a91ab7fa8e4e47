using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

public class BinaryLossTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void BinaryCrossEntropyOnProbabilities()
    {
        var p = new double[,] { { 0.9, 0.2 }, { 0.6, 0.5 } };
        var y = new double[,] { { 1, 0 }, { 0, 1 } };
        // −[y ln p + (1 − y) ln(1 − p)], averaged over the two elements of each row
        double[] expected = [(-Math.Log(0.9) - Math.Log(0.8)) / 2, (-Math.Log(0.4) - Math.Log(0.5)) / 2];
        AllReductions(r => new BinaryCrossEntropy(r).Forward(T64(p), T64(y)), expected);
        AllReductions(r => new BinaryCrossEntropy(r).Forward(T32(p), T32(y)), expected, tol: 1e-6);

        // positive weight 3 scales only the y = 1 terms
        double[] weighted = [(-3 * Math.Log(0.9) - Math.Log(0.8)) / 2, (-Math.Log(0.4) - 3 * Math.Log(0.5)) / 2];
        AllReductions(r => new BinaryCrossEntropy(r, positiveWeight: 3).Forward(T64(p), T64(y)), weighted);
    }

    [Fact]
    public void BinaryCrossEntropyAtProbabilitiesZeroAndOneIsFinite()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var p = T64(new double[,] { { 0, 1 }, { 1, 0 } }).ToDType(dtype);
            p.RequiresGrad = true;
            var y = T64(new double[,] { { 1, 0 }, { 1, 0 } }).ToDType(dtype);
            var perSample = new BinaryCrossEntropy(Reduction.None).Forward(p, y);
            // row 0 is maximally wrong: −ln ε on both elements; row 1 is right: −ln(1 − ε) ≈ ε
            AssertClose([-Math.Log(1e-7), 1e-7], perSample.ToDoubleArray(), 1e-5);
            var loss = new BinaryCrossEntropy().Forward(p, y);
            loss.Backward();
            AllFinite(loss);
            AllFinite(p.Grad!);
            // the wrong predictions are pulled towards their targets: up at p = 0 (y = 1), down at p = 1 (y = 0)
            Assert.True(p.Grad!.GetFlat(0) < 0 && p.Grad.GetFlat(1) > 0);
        }
    }

    [Fact]
    public void WithLogitsMatchesTheNaiveFormulaAtModerateScores()
    {
        var x = new double[,] { { 2, -1 }, { 0, 3 } };
        var y = new double[,] { { 1, 0 }, { 0.5, 0 } };
        double L(double xv, double yv, double w = 1) => -(w * yv * Math.Log(Sigmoid(xv)) + (1 - yv) * Math.Log(1 - Sigmoid(xv)));
        AllReductions(r => new BinaryCrossEntropyWithLogits(r).Forward(T64(x), T64(y)),
            [(L(2, 1) + L(-1, 0)) / 2, (L(0, 0.5) + L(3, 0)) / 2], tol: 1e-12);
        AllReductions(r => new BinaryCrossEntropyWithLogits(r, positiveWeight: 2.5).Forward(T64(x), T64(y)),
            [(L(2, 1, 2.5) + L(-1, 0, 2.5)) / 2, (L(0, 0.5, 2.5) + L(3, 0, 2.5)) / 2], tol: 1e-12);
    }

    [Fact]
    public void WithLogitsAtPlusMinusOneThousandIsFiniteAndExact()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var x = T64(new double[,] { { 1000, -1000, 1000, -1000 } }).ToDType(dtype);
            x.RequiresGrad = true;
            var y = T64(new double[,] { { 1, 0, 0, 1 } }).ToDType(dtype);
            var loss = new BinaryCrossEntropyWithLogits().Forward(x, y);
            // right, right, wrong by 1000, wrong by 1000 → mean 2000/4
            Assert.Equal(500, loss.Item(), 9);
            loss.Backward();
            // (σ(x) − y)/4
            AssertClose([0, 0, 0.25, -0.25], x.Grad!.ToDoubleArray(), 1e-9);
        }
    }

    [Fact]
    public void HingeAndSquaredHingeOnSignedTargets()
    {
        var s = new double[,] { { 0.5, -2 }, { 2, 0.3 } };
        var y = new double[,] { { 1, 1 }, { -1, -1 } };
        // max(0, 1 − y·ŷ): 0.5, 3 | 3, 1.3
        AllReductions(r => new Hinge(r).Forward(T64(s), T64(y)), [(0.5 + 3) / 2, (3 + 1.3) / 2]);
        AllReductions(r => new SquaredHinge(r).Forward(T64(s), T64(y)), [(0.25 + 9) / 2, (9 + 1.69) / 2]);
        // a confident correct score costs nothing
        Assert.Equal(0, new Hinge().Forward(T64(new double[,] { { 1.5 }, { -3 } }), T64(new double[,] { { 1 }, { -1 } })).Item());
    }

    [Fact]
    public void HingeRejectsZeroOneTargetsWithAHint()
    {
        var e = Assert.Throws<ValueException>(() => new Hinge().Forward(T64(new double[,] { { 0.2, 0.1 } }), T64(new double[,] { { 1, 0 } })));
        Assert.Contains("Hinge: target 0 at index [0,1]", e.Message);
        Assert.Contains("expected -1 or 1", e.Message);
        Assert.Contains("2*y - 1", e.Message);
        Assert.Throws<ValueException>(() => new SquaredHinge().Forward(T64(new double[,] { { 0.2 } }), T64(new double[,] { { 0.5 } })));
    }

    [Fact]
    public void BinaryCrossEntropyRejectsTargetsOutsideZeroOne()
    {
        var e = Assert.Throws<ValueException>(() => new BinaryCrossEntropyWithLogits().Forward(T64(new double[,] { { 0.2, 0.1 } }), T64(new double[,] { { 1, 2 } })));
        Assert.Contains("BinaryCrossEntropyWithLogits: target 2 at index [0,1]", e.Message);
        Assert.Contains("[0, 1]", e.Message);
        Assert.Throws<ShapeException>(() => new BinaryCrossEntropy().Forward(Tensor.Zeros([2, 1]), Tensor.Zeros([2])));
        Assert.Throws<ValueException>(() => new BinaryCrossEntropy(positiveWeight: -1));
    }

    [Fact]
    public void Gradients()
    {
        var p = Rand64([3, 2], 11, 0.05, 0.95);
        var t = Rand64([3, 2], 12, 0, 1);
        GradientsForAllReductions(r => new BinaryCrossEntropy(r), p, t, targetToo: true);
        GradientsForAllReductions(r => new BinaryCrossEntropy(r, positiveWeight: 2.5), p, t, targetToo: true);

        var x = Rand64([3, 2], 13, -4, 4);
        GradientsForAllReductions(r => new BinaryCrossEntropyWithLogits(r), x, t, targetToo: true);
        GradientsForAllReductions(r => new BinaryCrossEntropyWithLogits(r, positiveWeight: 0.4), x, t, targetToo: true);

        var s = Rand64([4, 3], 14, -2, 2);
        var signs = Tensor.FromArray([1.0, -1, 1, -1, -1, 1, 1, 1, -1, -1, 1, -1], 4, 3);
        GradientsForAllReductions(r => new Hinge(r), s, signs, targetToo: false);
        GradientsForAllReductions(r => new SquaredHinge(r), s, signs, targetToo: false);
    }
}
