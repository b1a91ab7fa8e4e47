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

    // PyTorch's EPSILON in binary_cross_entropy_backward, a float32 constant
    private const double Eps12 = (double)1e-12f;

    [Fact]
    public void BinaryCrossEntropyAtProbabilitiesZeroAndOneFollowsPyTorch()
    {
        // Changed by issue 16: the probabilities were clamped to [1e-7, 1 - 1e-7] (16.1 per hopeless element, gradient
        // about 1e7, and ±1 for a matching 0 or 1); PyTorch clamps each logarithm at -100 instead.
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var p = T64(new double[,] { { 0, 1 }, { 1, 0 } }).ToDType(dtype);
            p.RequiresGrad = true;
            var y = T64(new double[,] { { 1, 0 }, { 1, 0 } }).ToDType(dtype);
            var perSample = new BinaryCrossEntropy(Reduction.None).Forward(p, y);
            // row 0 is maximally wrong: -max(log 0, -100) = 100 on both elements; row 1 is exactly right: 0
            Assert.Equal([100.0, 0], perSample.ToDoubleArray());
            var loss = new BinaryCrossEntropy().Forward(p, y);
            Assert.Equal(50, loss.Item());
            loss.Backward();
            // (p - y) / max(p(1 - p), ε₁₂) / 4 elements: ∓1/ε₁₂/4 where wrong, exactly 0 where right
            AssertClose([-1 / Eps12 / 4, 1 / Eps12 / 4, 0, 0], p.Grad!.ToDoubleArray(), dtype == DType.Float64 ? 1e-15 : 1e-7);
            Assert.Equal(0, p.Grad!.GetFlat(2));
            Assert.Equal(0, p.Grad.GetFlat(3));
        }
    }

    [Fact]
    public void BinaryCrossEntropyMatchesPyTorchAtTheClamp()
    {
        // import torch; F = torch.nn.functional; torch.set_printoptions(precision=17)
        // p = torch.tensor([0., 1., 1., 0., 0.3, 1e-50], dtype=torch.float64, requires_grad=True)
        // y = torch.tensor([1., 0., 1., 0., 0.6, 1.], dtype=torch.float64)
        // l = F.binary_cross_entropy(p, y, reduction='none'); l.sum().backward()
        // l      = [100, 100, -0, 0, 0.86505366017105456, 100]
        // p.grad = [-1.00000000399580286e+12, 1.00000000399580286e+12, 0, 0, -1.42857142857142860, -1.00000000399580286e+12]
        var p = Tensor.FromArray([0, 1, 1, 0, 0.3, 1e-50], 6);
        p.RequiresGrad = true;
        var y = Tensor.FromArray([1.0, 0, 1, 0, 0.6, 1], 6);
        var l = new BinaryCrossEntropy(Reduction.PerElement).Forward(p, y);
        AssertClose([100, 100, 0, 0, 0.86505366017105456, 100], l.ToDoubleArray(), 1e-15);
        new BinaryCrossEntropy(Reduction.SumAll).Forward(p, y).Backward();
        AssertClose([-1.00000000399580286e+12, 1.00000000399580286e+12, 0, 0, -1.42857142857142860, -1.00000000399580286e+12],
            p.Grad!.ToDoubleArray(), 1e-15);
    }

    [Fact]
    public void BinaryCrossEntropyWithEpsilonClampsAsKeras()
    {
        var p = T64(new double[,] { { 0, 1 }, { 1, 0 } });
        var y = T64(new double[,] { { 1, 0 }, { 1, 0 } });
        var perSample = new BinaryCrossEntropy(Reduction.None, epsilon: 1e-7).Forward(p, y);
        // wrong: −log 1e−7 at p = 0, −log(1 − (1 − 1e−7)) at p = 1 (1 − 1e−7 rounds, so not quite −log 1e−7);
        // right: −log(1 − 1e−7) at p = 1 with y = 1 and −log(1 − 1e−7) at p = 0 with y = 0
        AssertClose([(-Math.Log(1e-7) - Math.Log(1 - (1 - 1e-7))) / 2, -Math.Log(1 - 1e-7)], perSample.ToDoubleArray(), 1e-14);
        Assert.Null(new BinaryCrossEntropy().Epsilon);
        var e = Assert.Throws<ValueException>(() => new BinaryCrossEntropy(epsilon: 0.5));
        Assert.Contains("-100", e.Message);
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
        GradientsForAllReductions(r => new BinaryCrossEntropy(r, positiveWeights: [0.5, 3]), p, t, targetToo: true);
        GradientsForAllReductions(r => new BinaryCrossEntropy(r, epsilon: 1e-7), p, t, targetToo: true);

        var x = Rand64([3, 2], 13, -4, 4);
        GradientsForAllReductions(r => new BinaryCrossEntropyWithLogits(r), x, t, targetToo: true);
        GradientsForAllReductions(r => new BinaryCrossEntropyWithLogits(r, positiveWeight: 0.4), x, t, targetToo: true);
        GradientsForAllReductions(r => new BinaryCrossEntropyWithLogits(r, positiveWeights: [2, 0.25]), x, t, targetToo: true);

        var s = Rand64([4, 3], 14, -2, 2);
        var signs = Tensor.FromArray([1.0, -1, 1, -1, -1, 1, 1, 1, -1, -1, 1, -1], 4, 3);
        GradientsForAllReductions(r => new Hinge(r), s, signs, targetToo: false);
        GradientsForAllReductions(r => new SquaredHinge(r), s, signs, targetToo: false);
    }

    [Fact]
    public void PerClassPositiveWeightsMatchPyTorchsPosWeight()
    {
        // x = torch.tensor([[[0.5,-1.2,2.0],[-0.3,0.8,-2.5]],[[1.5,0.1,-0.7],[3.0,-4.0,0.2]]], dtype=torch.float64, requires_grad=True)
        // y = torch.tensor([[[1,0,0.5],[0,1,1]],[[0.25,1,0],[1,0,0.75]]], dtype=torch.float64)
        // pw = torch.tensor([2.0, 0.5, 3.0], dtype=torch.float64)
        // F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction='none' | 'sum' | 'mean'), then 'mean'.backward()
        var x = Tensor.FromArray([0.5, -1.2, 2.0, -0.3, 0.8, -2.5, 1.5, 0.1, -0.7, 3.0, -4.0, 0.2], 2, 2, 3);
        x.RequiresGrad = true;
        var y = Tensor.FromArray([1, 0, 0.5, 0, 1, 1, 0.25, 1, 0, 1, 0, 0.75], 2, 2, 3);
        double[] none = [0.94815396836021337, 0.26328246733803140, 1.25385602208594515, 0.55435524446852691, 0.18555033297388884, 7.73666920287764892,
            1.37676659747844066, 0.32219833003678544, 0.40318604888545795, 0.09717470314748393, 0.01814992791780945, 1.54534717345397943];
        var loss = new BinaryCrossEntropyWithLogits(Reduction.PerElement, positiveWeights: [2.0, 0.5, 3.0]);
        Assert.Equal([2, 2, 3], loss.Forward(x, y).Shape.ToArray());
        AssertClose(none, loss.Forward(x, y).ToDoubleArray(), 1e-14);
        AssertClose([14.70469001902421091], [new BinaryCrossEntropyWithLogits(Reduction.SumAll, positiveWeights: [2.0, 0.5, 3.0]).Forward(x, y).Item()], 1e-14);
        var mean = new BinaryCrossEntropy(fromLogits: true, positiveWeights: [2.0, 0.5, 3.0]).Forward(x, y);
        AssertClose([1.22539083491868417], [mean.Item()], 1e-14);
        mean.Backward();
        AssertClose([-0.06292344479969091, 0.01928960137508186, 0.02179951299631372, 0.03546312359902842, -0.01291772995301615, -0.23103545499468911,
            0.04349734127017121, -0.01979253385504416, 0.02765101898598616, -0.00790431219626111, 0.00149885083017430, -0.07295125055990043],
            x.Grad!.ToDoubleArray(), 1e-13);

        // one weight per class of the last axis, and not together with a scalar weight
        var e = Assert.Throws<ShapeException>(() => loss.Forward(Tensor.Zeros([2, 2]), Tensor.Zeros([2, 2])));
        Assert.Contains("3 positive weights", e.Message);
        Assert.Throws<ValueException>(() => new BinaryCrossEntropyWithLogits(positiveWeight: 2, positiveWeights: [1.0, 2]));
        Assert.Throws<ValueException>(() => new BinaryCrossEntropy(positiveWeights: [1.0, -2]));
    }
}
