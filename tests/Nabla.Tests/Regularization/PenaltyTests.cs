using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Regularization;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Regularization;

public class PenaltyTests
{
    private static (Tensor A, Tensor B) Weights()
    {
        var a = Tensor.FromArray([1.0, -2, 0.5], 3);
        var b = Tensor.FromArray([3.0, -0.25], 1, 2);
        a.RequiresGrad = b.RequiresGrad = true;
        return (a, b);
    }

    [Fact]
    public void L1IsLambdaTimesSumOfAbsoluteValues()
    {
        var (a, b) = Weights();
        var pen = new L1Penalty(0.1).Forward([a, b]);
        Assert.Equal(0.1 * (1 + 2 + 0.5 + 3 + 0.25), pen.Item(), 12);
        pen.Backward();
        AssertClose([0.1, -0.1, 0.1], a.Grad!.ToDoubleArray(), 1e-12);
        AssertClose([0.1, -0.1], b.Grad!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void L2IsLambdaTimesSumOfSquaresWithoutAHalf()
    {
        var (a, b) = Weights();
        var pen = new L2Penalty(0.1).Forward([a, b]);
        Assert.Equal(0.1 * (1 + 4 + 0.25 + 9 + 0.0625), pen.Item(), 12);
        pen.Backward();
        AssertClose([0.2, -0.4, 0.1], a.Grad!.ToDoubleArray(), 1e-12);
        AssertClose([0.6, -0.05], b.Grad!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void Gradients()
    {
        var a = Rand64([3, 2], 51, 0.1, 2);
        var b = Rand64([4], 52, -2, -0.1);
        AssertGradients(() => new L1Penalty(0.3).Forward([a, b]), a, b);
        AssertGradients(() => new L2Penalty(0.3).Forward([a, b]), a, b);
    }

    [Fact]
    public void ModelOverloadSkipsBiasesAndFrozenParameters()
    {
        var layer = new Linear(3, 2, generator: new Generator(5));
        var head = new Linear(2, 1, generator: new Generator(6));
        var model = new Sequential(layer, head);
        head.Freeze();
        double w2 = layer.Weight.Data.ToDoubleArray().Sum(v => v * v);
        double b2 = layer.Bias!.Data.ToDoubleArray().Sum(v => v * v);
        Assert.Equal(0.5 * w2, new L2Penalty(0.5).Forward(model).Item(), 5);
        Assert.Equal(0.5 * (w2 + b2), new L2Penalty(0.5).Forward(model, includeBiases: true).Item(), 5);
    }

    [Fact]
    public void AddsToADataLoss()
    {
        var w = Tensor.FromArray([0.5, -1.5], 1, 2);
        w.RequiresGrad = true;
        var x = Tensor.FromArray([1.0, 2], 2, 1);
        var y = Tensor.FromArray([0.0, 0], 2, 1);
        // prediction x·w[0,0]: [0.5, 1]; MSE = (0.25 + 1)/2; penalty 0.1·(0.25 + 2.25)
        var pred = x * w.Narrow(1, 0, 1);
        var total = new MSE().Forward(pred, y) + new L2Penalty(0.1).Forward([w]);
        Assert.Equal(0.625 + 0.25, total.Item(), 12);
        total.Backward();
        // ∂MSE/∂w0 = Σ 2(x·w0)·x/2 = (0.5·1 + 1·2) = 2.5; plus 2·0.1·w
        AssertClose([2.5 + 0.1, -0.3], w.Grad!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void EmptySetAndInvalidLambda()
    {
        Assert.Equal(0, new L1Penalty(1).Forward(Array.Empty<Tensor>()).Item());
        var e = Assert.Throws<ValueException>(() => new L2Penalty(-0.1));
        Assert.Contains("L2Penalty", e.Message);
        Assert.Throws<ValueException>(() => new L1Penalty(double.NaN));
    }
}
