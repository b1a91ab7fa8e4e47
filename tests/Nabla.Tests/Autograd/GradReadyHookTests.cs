using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary><see cref="Tensor.GradReadyHook"/>: once per pass per leaf, with the complete gradient, before backward ends.</summary>
public class GradReadyHookTests
{
    [Fact]
    public void FiresOnceWithTheCompleteGradientOfALeafUsedTwice()
    {
        var x = Tensor.Scalar(3); x.RequiresGrad = true;
        var seen = new List<double>();
        x.GradReadyHook = t => seen.Add(t.Grad!.Item());
        try
        {
            (x * x + x.Exp() * 0.0 + x).Backward(); // dy/dx = 2x + 1 = 7, from three uses
            Assert.Equal([7.0], seen);
        }
        finally { x.GradReadyHook = null; }
    }

    [Fact]
    public void LayersCloserToTheLossAreReadyFirstAndUnusedLeavesNever()
    {
        Generator.ManualSeed(3);
        var model = ModelZoo.MLP();
        var unused = Tensor.Scalar(1); unused.RequiresGrad = true;
        var order = new List<string>();
        var parameters = model.NamedParameters().ToList();
        foreach (var (name, p) in parameters) p.Data.GradReadyHook = t => { Assert.NotNull(t.Grad); order.Add(name); };
        unused.GradReadyHook = _ => order.Add("unused");
        try
        {
            model.Forward(Tensor.Rand([4, 1, 28, 28])).Sum().Backward();
            Assert.Equal(parameters.Count, order.Count);
            // The last layer's weight and bias (one fused node) are ready first, the first layer's last.
            Assert.Equal(new[] { parameters[^2].Name, parameters[^1].Name }.Order(), order.Take(2).Order());
            Assert.Equal(new[] { parameters[0].Name, parameters[1].Name }.Order(), order.TakeLast(2).Order());
            Assert.DoesNotContain("unused", order);
        }
        finally
        {
            foreach (var (_, p) in parameters) p.Data.GradReadyHook = null;
            unused.GradReadyHook = null;
        }
    }

    [Fact]
    public void ANewValueOfAParameterKeepsItsHook()
    {
        var p = new Parameter(Tensor.Zeros([2]));
        int calls = 0;
        p.Data.GradReadyHook = _ => calls++;
        p.Data = Tensor.Ones([2]);
        (p.Data * 2.0).Sum().Backward();
        p.Data.GradReadyHook = null;
        Assert.Equal(1, calls);
    }
}
