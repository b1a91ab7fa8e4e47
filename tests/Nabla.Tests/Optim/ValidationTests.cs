using Nabla.NN;
using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>Bad options raise ValueException naming the optimizer, the option and the value.</summary>
public class ValidationTests
{
    private static void AssertBad(Func<object> create, params string[] fragments)
    {
        var e = Assert.Throws<Errors.ValueException>(create);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void LearningRates()
    {
        AssertBad(() => new SGD([Param(1)], double.NaN), "SGD", "learning rate", "NaN");
        AssertBad(() => new Adam([Param(1)], -0.1), "Adam", "learning rate", "-0.1");
        AssertBad(() => new AdaGrad([Param(1)], double.PositiveInfinity), "AdaGrad", "learning rate");
        var opt = new RMSProp([Param(1)]);
        AssertBad(() => opt.LearningRate = -1, "RMSProp", "learning rate", "-1");
    }

    [Fact]
    public void CoefficientsMustLieInTheUnitInterval()
    {
        AssertBad(() => new SGD([Param(1)], 0.1, momentum: 1), "SGD", "momentum", "1");
        AssertBad(() => new SGD([Param(1)], 0.1, momentum: -0.5), "SGD", "momentum", "-0.5");
        AssertBad(() => new RMSProp([Param(1)], rho: 1.5), "RMSProp", "rho", "1.5");
        AssertBad(() => new RMSPropNesterov([Param(1)], momentum: 0), "RMSPropNesterov", "momentum", "0");
        AssertBad(() => new AdaDelta([Param(1)], rho: double.NaN), "AdaDelta", "rho", "NaN");
        AssertBad(() => new Adam([Param(1)], beta1: 1), "Adam", "beta1", "1");
        AssertBad(() => new AdamW([Param(1)], beta2: -0.1), "AdamW", "beta2", "-0.1");
        AssertBad(() => new Adam([Param(1)], epsilon: 0), "Adam", "epsilon", "0");
        AssertBad(() => new AdaGrad([Param(1)], epsilon: -1), "AdaGrad", "epsilon", "-1");
        AssertBad(() => new AdaDelta([Param(1)], epsilon: 0), "AdaDelta", "epsilon", "0");
        AssertBad(() => new SGD([Param(1)], 0.1, nesterov: true), "SGD", "nesterov", "momentum");
    }

    [Fact]
    public void PenaltiesMustBeNonNegative()
    {
        var opt = new SGD([Param(1)], 0.1);
        AssertBad(() => opt.WeightDecay = -1e-4, "SGD", "weight decay", "-0.0001");
        AssertBad(() => opt.L1 = double.NaN, "SGD", "L1", "NaN");
        AssertBad(() => new AdamW([Param(1)], weightDecay: -1), "AdamW", "weight decay", "-1");
        AssertBad(() => new SGD([new ParamGroup([Param(1)], weightDecay: -2)], 0.1), "SGD", "weight decay of group 0", "-2");
    }

    [Fact]
    public void ParameterListsMustBeNonEmptyAndWithoutDuplicates()
    {
        AssertBad(() => new SGD(Array.Empty<Parameter>(), 0.1), "SGD", "parameter list is empty");
        AssertBad(() => new Adam(Array.Empty<ParamGroup>()), "Adam", "parameter list is empty");
        var p = Param(1);
        AssertBad(() => new SGD([p, p], 0.1), "SGD", "more than once");
    }
}
