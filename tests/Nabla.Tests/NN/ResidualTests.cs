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
    [Fact]
    public void ProjectionShortcutAddsItsOutputAndGradient()
    {
        var body = new Sequential(new Conv2d(2, 3, 3, stride: 2, padding: 1, generator: new Generator(3)), new Tanh());
        var shortcut = new Conv2d(2, 3, 1, stride: 2, generator: new Generator(4));
        var r = new Residual(body, shortcut);
        r.To(DType.Float64);
        var x = Rand64([2, 2, 5, 5], 3);
        var y = r.Forward(x);
        Assert.Equal(new Shape(2, 3, 3, 3), y.Shape);
        AssertClose((shortcut.Forward(x) + body.Forward(x)).ToDoubleArray(), y.ToDoubleArray(), 1e-14);
        Assert.Equal(new[] { "body.0.weight", "body.0.bias", "shortcut.weight", "shortcut.bias" }, r.NamedParameters().Select(p => p.Name));
        AssertGradients(() => r.Forward(x), x, shortcut.Weight.Data, ((Conv2d)body.Layers[0]).Weight.Data);
        var ex = Assert.Throws<ShapeException>(() => new Residual(body, new Conv2d(2, 3, 1).To(DType.Float64)).Forward(Tensor.Zeros([1, 2, 5, 5], DType.Float64)));
        Assert.Contains("shortcut Conv2d(2 → 3, 1x1) gives [1,3,5,5]", ex.Message);
    }
}
