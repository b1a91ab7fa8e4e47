using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>Saving an optimizer (and its schedule) mid-training and resuming in a fresh process-like setup gives bit-identical parameters to never stopping.</summary>
public class OptimizerStateTests
{
    public static TheoryData<string> Names() => [.. All().Select(o => o.Name)];

    private static (Linear Model, Tensor X, Tensor Y) Problem()
    {
        var gen = new Generator(3);
        var model = new Linear(5, 3, generator: gen);
        var x = Tensor.Normal([8, 5], generator: gen);
        var y = Tensor.Normal([8, 3], generator: gen);
        return (model, x, y);
    }

    private static Optimizer Make(string name, Linear model)
    {
        var opt = All().Single(o => o.Name == name).Create(model.Parameters(), 0.01);
        opt.WeightDecay = 0.01;
        opt.L1 = 0.001;
        return opt;
    }

    private static void TrainStep(Linear model, Optimizer opt, Tensor x, Tensor y)
    {
        opt.ZeroGrad();
        (model.Forward(x) - y).Square().Mean().Backward();
        opt.Step();
    }

    /// <summary>A deep copy through plain arrays, as a serializer would make.</summary>
    private static OptimizerState Copy(OptimizerState s) => new()
    {
        Optimizer = s.Optimizer,
        LearningRate = s.LearningRate,
        StepCount = s.StepCount,
        Shapes = s.Shapes.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()),
        ParameterSteps = new(s.ParameterSteps),
        Float32Buffers = s.Float32Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()),
        Float64Buffers = s.Float64Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ResumingIsBitIdenticalToNeverStopping(string name)
    {
        // uninterrupted: 10 steps with a per-step cosine schedule
        var (m1, x, y) = Problem();
        var o1 = Make(name, m1);
        var s1 = new CosineDecay(0.01, 10, 0.001) { Interval = ScheduleInterval.Step }.Attach(o1);
        for (int i = 0; i < 10; i++) { TrainStep(m1, o1, x, y); s1.Step(); }

        // interrupted after 4 steps: save weights, optimizer and schedule state, continue elsewhere
        var (m2, _, _) = Problem();
        var o2 = Make(name, m2);
        var s2 = new CosineDecay(0.01, 10, 0.001) { Interval = ScheduleInterval.Step }.Attach(o2);
        for (int i = 0; i < 4; i++) { TrainStep(m2, o2, x, y); s2.Step(); }
        var weights = m2.Parameters().Select(p => p.Data.ToArray()).ToArray();
        var optState = Copy(o2.GetState());
        var schedState = s2.GetState();
        TrainStep(m2, o2, x, y); // work after the save that is lost: must not leak into the copy

        var (m3, _, _) = Problem();
        foreach (var (p, w) in m3.Parameters().Zip(weights)) p.Data.CopyFrom(Tensor.FromArray(w, p.Shape.ToArray()));
        var o3 = Make(name, m3);
        var s3 = new CosineDecay(0.01, 10, 0.001) { Interval = ScheduleInterval.Step }.Attach(o3);
        o3.LoadState(optState);
        s3.LoadState(schedState);
        Assert.Equal(4, o3.StepCount);
        for (int i = 4; i < 10; i++) { TrainStep(m3, o3, x, y); s3.Step(); }

        foreach (var (a, b) in m1.Parameters().Zip(m3.Parameters()))
            Assert.Equal(a.Data.ToArray(), b.Data.ToArray());
        Assert.Equal(o1.LearningRate, o3.LearningRate);
        Assert.Equal(Copy(o1.GetState()).Float32Buffers.Keys.Order(), o3.GetState().Float32Buffers.Keys.Order());
    }

    [Fact]
    public void StateIsKeyedByParameterNameAndBufferSymbol()
    {
        var (m, x, y) = Problem();
        var opt = new Adam(m.Parameters(), 0.01);
        TrainStep(m, opt, x, y);
        var state = opt.GetState();
        Assert.Equal("Adam", state.Optimizer);
        Assert.Equal(["bias/r", "bias/s", "weight/r", "weight/s"], state.Float32Buffers.Keys.Order());
        Assert.Equal([3, 5], state.Shapes["weight"]);
        Assert.Equal(1, state.ParameterSteps["weight"]);
        // Adam after one step: s = (1 − ρ₁)g, r = (1 − ρ₂)g²
        var g = m.Weight.Grad!.ToArray();
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(0.1f * g[i], state.Float32Buffers["weight/s"][i], 1e-7f);
            Assert.Equal(0.001 * g[i] * g[i], state.Float32Buffers["weight/r"][i], 1e-9);
        }
    }

    [Fact]
    public void LoadingAMismatchedStateFailsClearlyAndChangesNothing()
    {
        var (m, x, y) = Problem();
        var opt = new SGD(m.Parameters(), 0.01, momentum: 0.9);
        TrainStep(m, opt, x, y);
        var good = opt.GetState();

        var other = new Linear(5, 4);
        var wrongShape = new SGD(other.Parameters(), 0.01, momentum: 0.9);
        var e = Assert.Throws<Errors.ShapeException>(() => wrongShape.LoadState(good));
        Assert.Contains("weight", e.Message);
        Assert.Contains("[4,5]", e.Message);

        var v = Assert.Throws<Errors.ValueException>(() => new Adam(m.Parameters()).LoadState(good));
        Assert.Contains("SGD", v.Message);

        var shortBuffer = Copy(good);
        shortBuffer.Float32Buffers["bias/v"] = new float[2];
        var fresh = new SGD(m.Parameters(), 0.05, momentum: 0.9);
        Assert.Throws<Errors.ShapeException>(() => fresh.LoadState(shortBuffer));
        Assert.Equal(0.05, fresh.LearningRate);
        Assert.Empty(fresh.GetState().ParameterSteps);

        var unknown = Copy(good);
        unknown.ParameterSteps["nope"] = 1;
        Assert.Contains("nope", Assert.Throws<Errors.ValueException>(() => fresh.LoadState(unknown)).Message);

        var wrongType = new OptimizerState
        {
            Optimizer = "SGD", LearningRate = 0.01, StepCount = 1,
            Shapes = new(good.Shapes), ParameterSteps = new(good.ParameterSteps),
            Float64Buffers = good.Float32Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.Select(f => (double)f).ToArray()),
        };
        Assert.Contains("Float32", Assert.Throws<Errors.ValueException>(() => fresh.LoadState(wrongType)).Message);
    }
}
