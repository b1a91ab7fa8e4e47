using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class ModuleTests
{
    private sealed class TwoLayer : Module
    {
        private readonly Linear _hidden = new(4, 3);
        public Linear Output { get; } = new(3, 2);
        public override Tensor Forward(Tensor x) => Output.Forward(_hidden.Forward(x).ReLU());
    }

    private sealed class Net : Module
    {
        private readonly Sequential _features = new(new Linear(5, 4), new Linear(4, 4));
        private readonly TwoLayer _head = new();
        public override Tensor Forward(Tensor x) => _head.Forward(_features.Forward(x));
    }

    [Fact]
    public void ParametersAreFoundWithHierarchicalNames()
    {
        var names = new Net().NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[]
        {
            "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
            "head.hidden.weight", "head.hidden.bias", "head.output.weight", "head.output.bias",
        }, names);
    }

    [Fact]
    public void ParameterCountFollowsTheDenseFormula()
    {
        // (N_in + 1)·N_out per dense layer.
        Assert.Equal((5 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 3 + (3 + 1) * 2, new Net().ParameterCount());
    }

    [Fact]
    public void TrainAndEvalReachEverySubModule()
    {
        var net = new Net();
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void FreezeStopsGradients()
    {
        var net = new TwoLayer();
        net.Freeze();
        var x = Tensor.Ones([1, 4]);
        var y = net.Forward(x);
        Assert.False(y.RequiresGrad);
        net.Unfreeze();
        net.Forward(x).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void LinearGradientCheckThroughInputWeightAndBias()
    {
        var layer = new Linear(4, 3);
        layer.To(DType.Float64);
        var x = Rand64([5, 4], 3);
        AssertGradients(() => layer.Forward(x), x, layer.Weight.Data, layer.Bias!.Data);
        var x3 = Rand64([2, 5, 4], 4);
        AssertGradients(() => layer.Forward(x3), x3, layer.Weight.Data, layer.Bias!.Data);
    }

    [Fact]
    public void LinearRejectsAWrongInputWidth()
    {
        var ex = Assert.Throws<Nabla.Errors.ShapeException>(() => new Linear(4, 3).Forward(Tensor.Zeros([2, 5])));
        Assert.Contains("Linear(4 → 3)", ex.Message);
        Assert.Contains("[2,5]", ex.Message);
    }
}
