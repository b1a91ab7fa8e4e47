using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>One vocabulary across optimizers: every constructor takes <c>weightDecay</c>, every stability constant is <c>epsilon</c>.</summary>
public class ConstructorOptionTests
{
    /// <summary>Every optimizer type with weight decay passed to its constructor.</summary>
    private static IEnumerable<(string Name, Func<IEnumerable<Parameter>, double, double, Optimizer> Create)> WithDecay() =>
    [
        ("SGD", (ps, lr, wd) => new SGD(ps, lr, weightDecay: wd)),
        ("SGD momentum", (ps, lr, wd) => new SGD(ps, lr, momentum: 0.9, weightDecay: wd)),
        ("SGD Nesterov", (ps, lr, wd) => new SGD(ps, lr, momentum: 0.9, nesterov: true, weightDecay: wd)),
        ("AdaGrad", (ps, lr, wd) => new AdaGrad(ps, lr, weightDecay: wd)),
        ("RMSProp", (ps, lr, wd) => new RMSProp(ps, lr, weightDecay: wd)),
        ("RMSProp momentum", (ps, lr, wd) => new RMSProp(ps, lr, momentum: 0.9, weightDecay: wd)),
        ("RMSPropNesterov", (ps, lr, wd) => new RMSPropNesterov(ps, lr, weightDecay: wd)),
        ("AdaDelta", (ps, lr, wd) => new AdaDelta(ps, lr, weightDecay: wd)),
        ("Adam", (ps, lr, wd) => new Adam(ps, lr, weightDecay: wd)),
        ("AdamW", (ps, lr, wd) => new AdamW(ps, lr, weightDecay: wd)),
        ("RMSProp centered", (ps, lr, wd) => new RMSProp(ps, lr, momentum: 0.5, weightDecay: wd, centered: true, epsilonInsideRoot: false)),
        ("Adam AMSGrad", (ps, lr, wd) => new Adam(ps, lr, weightDecay: wd, amsgrad: true)),
        ("AdamW AMSGrad", (ps, lr, wd) => new AdamW(ps, lr, weightDecay: wd, amsgrad: true)),
        ("NAdam", (ps, lr, wd) => new NAdam(ps, lr, weightDecay: wd)),
    ];

    public static TheoryData<string> Names() => [.. WithDecay().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void WeightDecayFromTheConstructorActsAsTheProperty(string name)
    {
        var create = WithDecay().Single(o => o.Name == name).Create;
        var plain = All().Single(o => o.Name == name).Create;
        var a = Param(1.5, -2, 0.25);
        var b = Param(1.5, -2, 0.25);
        var viaConstructor = create([a], 0.05, 0.3);
        var viaProperty = plain([b], 0.05);
        viaProperty.WeightDecay = 0.3;
        Assert.Equal(0.3, viaConstructor.WeightDecay);
        for (int step = 0; step < 3; step++)
        {
            QuadraticBackward(a, [1, 2, 3]);
            QuadraticBackward(b, [1, 2, 3]);
            viaConstructor.Step();
            viaProperty.Step();
        }
        AssertValues(Values(b), a, 0);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WeightDecayDefaultsToZeroExceptForAdamW(string name)
    {
        var opt = All().Single(o => o.Name == name).Create([Param(1)], 0.1);
        Assert.Equal(name.StartsWith("AdamW", StringComparison.Ordinal) ? 0.01 : 0, opt.WeightDecay);
    }

    [Fact]
    public void AdamWWithAnExplicitZeroDecayIsAdam()
    {
        var a = Param(2, -4);
        var b = Param(2, -4);
        var adamw = new AdamW([a], 0.1, weightDecay: 0);
        var adam = new Adam([b], 0.1);
        Assert.Equal(0, adamw.WeightDecay);
        for (int step = 0; step < 5; step++)
        {
            QuadraticBackward(a, [1, 3]);
            QuadraticBackward(b, [1, 3]);
            adamw.Step();
            adam.Step();
        }
        AssertValues(Values(b), a, 0);
    }

    [Fact]
    public void NegativeWeightDecayInAConstructorIsRefused()
    {
        foreach (var (name, create) in WithDecay())
        {
            var e = Assert.Throws<Errors.ValueException>(() => create([Param(1)], 0.1, -0.5));
            Assert.Contains("weight decay", e.Message);
            Assert.Contains("-0.5", e.Message);
            Assert.StartsWith(name.Split(' ')[0], e.Message);
        }
    }

    [Fact]
    public void EveryStabilityConstantIsCalledEpsilon()
    {
        Assert.Equal(1e-8, new Adam([Param(1)]).Epsilon);
        Assert.Equal(1e-8, new AdamW([Param(1)]).Epsilon);
        Assert.Equal(1e-7, new AdaGrad([Param(1)]).Epsilon);
        Assert.Equal(1e-6, new RMSProp([Param(1)]).Epsilon);
        Assert.Equal(1e-6, new RMSPropNesterov([Param(1)]).Epsilon);
        Assert.Equal(1e-6, new AdaDelta([Param(1)]).Epsilon);
        Assert.Equal(1e-3, new Adam([Param(1)], epsilon: 1e-3).Epsilon);
        Assert.Equal(1e-3, new RMSPropNesterov([Param(1)], epsilon: 1e-3).Epsilon);
        Assert.Equal(1e-3, new BatchNorm2d(3, epsilon: 1e-3).Epsilon);
        Assert.Equal(1e-5, new BatchNorm1d(3).Epsilon);
    }

    [Fact]
    public void ParametersIsAMethodLikeTheModules()
    {
        var model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        var head = (Linear)model.Layers[2];
        var opt = new SGD([new ParamGroup(((Linear)model.Layers[0]).Parameters()), new ParamGroup(head.Parameters(), learningRate: 0.1)], 0.01);
        Assert.Equal(model.Parameters(), opt.Parameters());
    }
}
