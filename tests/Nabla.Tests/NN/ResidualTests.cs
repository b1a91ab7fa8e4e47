using Nabla.Errors;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class ResidualTests
{
    [Fact]
    public void AddsTheShortcut()
    {
        var body = new Sequential(new Linear(3, 3, generator: new Generator(1)), new Tanh());
        body.To(DType.Float64);
        var r = new Residual(body);
        var x = Rand64([2, 3], seed: 1);
        AssertClose((x + body.Forward(x)).ToDoubleArray(), r.Forward(x).ToDoubleArray(), 1e-14);
        Assert.Equal(new[] { "body.0.weight", "body.0.bias" }, r.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void GradientIncludesTheIdentityPath()
    {
        var body = new Sequential(new Linear(3, 3, generator: new Generator(2)), new Tanh());
        body.To(DType.Float64);
        var r = new Residual(body);
        var x = Rand64([2, 3], seed: 2);
        var w = (Linear)body.Layers[0];
        AssertGradients(() => r.Forward(x), x, w.Weight.Data, w.Bias!.Data);
        // With a branch that outputs zeros (zero weights and bias), ∂Σy/∂x is exactly 1.
        Nabla.NN.Init.Zeros(w.Weight);
        Nabla.NN.Init.Zeros(w.Bias!);
        x.Grad = null;
        r.Forward(x).Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), g => Assert.Equal(1, g, 12));
    }

    [Fact]
    public void ShapeChangingBranchIsAShapeError()
    {
        var ex = Assert.Throws<ShapeException>(() => new Residual(new Linear(3, 2)).Forward(Tensor.Zeros([1, 3])));
        Assert.Contains("Residual", ex.Message);
        Assert.Contains("[1,2]", ex.Message);
    }
}
