using System.Text.Json;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;
using Xunit.Abstractions;
using static Nabla.Tests.Parity.ParityFixture;

namespace Nabla.Tests.Parity;

/// <summary>
/// Training trajectories, schedules and gradient clipping against PyTorch. An optimizer case trains a small MLP
/// (Linear 4→5, Tanh, Linear 5→3, MSE) or an ill-conditioned quadratic ½Σaᵢθᵢ² − b·θ for 5 or 6 steps and compares
/// the loss, the learning rate and every parameter after every step; optionally a schedule is stepped after each
/// optimizer step, or the gradients are clipped before it. A schedule case compares the rates of 8 to 17 steps.
/// </summary>
/// <remarks>
/// <para>Mapping of the options: PyTorch's <c>lr</c>, <c>momentum</c>, <c>nesterov</c>, <c>weight_decay</c>,
/// <c>betas</c>, <c>eps</c>, <c>rho</c> and RMSprop's <c>alpha</c> are Nabla's learningRate, momentum, nesterov,
/// weightDecay, beta1/beta2, epsilon, rho and rho. PyTorch decays every parameter; Nabla skips biases unless
/// <see cref="Optimizer.RegularizeBiases"/> is set (the lectures' j ≠ 0), so the replay sets it.</para>
/// <para>Schedules: StepLR is <see cref="StepDecay"/>, ExponentialLR <see cref="ExponentialDecay"/>,
/// CosineAnnealingLR <see cref="CosineDecay"/>, LinearLR(s, e, n) <see cref="LinearDecay"/>(s·η, e·η, n), a
/// SequentialLR of LinearLR(s, 1, W) then S is <see cref="LinearWarmup"/>(S, W, s·η), LambdaLR of 1/(1 + kt) and
/// 1/√(t + 1) are <see cref="InverseTimeDecay"/> and <see cref="InverseSqrtDecay"/>, and ReduceLROnPlateau with
/// threshold_mode "abs" is <see cref="ReduceOnPlateau"/> (threshold = minDelta).</para>
/// </remarks>
public class OptimizerParityTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Optimizers => Names("optimizers");

    public static IEnumerable<object[]> Schedules => Names("schedules");

    public static IEnumerable<object[]> Clipping => Names("clipping");

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TrajectoryMatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        var data = c.GetProperty("data");
        Module? model = null;
        Dictionary<string, Parameter> parameters;
        Func<Tensor> lossOf;
        if (c.GetProperty("problem").GetString() == "mlp")
        {
            model = new Sequential(new Linear(4, 5, generator: LayerParityTests.G()), new Tanh(), new Linear(5, 3, generator: LayerParityTests.G())).To(DType.Float64);
            parameters = LayerParityTests.LoadParameters(model, c.GetProperty("initial"));
            Tensor x = ToTensor(data.GetProperty("x")), y = ToTensor(data.GetProperty("y"));
            var mse = new MSE();
            lossOf = () => mse.Forward(model.Forward(x), y);
        }
        else
        {
            var theta = new Parameter(ToTensor(c.GetProperty("initial").GetProperty("theta")));
            parameters = new() { ["theta"] = theta };
            Tensor a = ToTensor(data.GetProperty("a")), b = ToTensor(data.GetProperty("b"));
            lossOf = () => 0.5 * (a * theta * theta).Sum() - (b * theta).Sum();
        }
        // PyTorch's parameter groups {"params", "lr", "weight_decay"} are ParamGroups with a rate and a decay of their own.
        var groups = c.TryGetProperty("groups", out var gs)
            ? gs.EnumerateArray().Select(g => new ParamGroup(g.GetProperty("params").EnumerateArray().Select(n => parameters[n.GetString()!]),
                g.TryGetProperty("lr", out var lr) ? lr.GetDouble() : null, g.TryGetProperty("weight_decay", out var wd) ? wd.GetDouble() : null)).ToArray()
            : [new ParamGroup(parameters.Values)];
        var optimizer = BuildOptimizer(c.GetProperty("optimizer").GetString()!, c.GetProperty("args"), groups);
        optimizer.RegularizeBiases = true; // PyTorch's weight decay applies to every parameter
        var schedule = c.TryGetProperty("schedule", out var s) ? BuildSchedule(s, optimizer.LearningRate).Attach(optimizer) : null;
        var clip = c.TryGetProperty("clip", out var cl) ? cl : default;

        int i = 0;
        foreach (var step in c.GetProperty("steps").EnumerateArray())
        {
            string at = $"step {++i} ";
            optimizer.ZeroGrad();
            var loss = lossOf();
            check.Value(at + "loss", Num(step, "loss"), loss.Item());
            loss.Backward();
            if (clip.ValueKind == JsonValueKind.Object)
            {
                if (clip.GetProperty("kind").GetString() == "norm")
                    check.Value(at + "gradient norm", Num(step, "grad_norm"), GradientClipping.ClipByGlobalNorm(parameters.Values, Num(clip, "value")));
                else
                    GradientClipping.ClipByValue(parameters.Values, Num(clip, "value"));
            }
            check.Value(at + "learning rate", Num(step, "lr"), optimizer.LearningRate);
            optimizer.Step();
            schedule?.Step();
            foreach (var p in step.GetProperty("params").EnumerateObject()) check.Tensor(at + p.Name, p.Value, parameters[p.Name].Data);
        }
        check.Verify();
    }

    [Fact]
    public void InitializerGainsAndFansMatchPyTorch()
    {
        var gains = Case("calculate_gain");
        var check = new ParityCheck(gains, output);
        foreach (var g in gains.GetProperty("gains").EnumerateArray())
        {
            string n = g.GetProperty("nonlinearity").GetString()!;
            var nonlinearity = n switch
            {
                "linear" => Nonlinearity.Linear,
                "sigmoid" => Nonlinearity.Sigmoid,
                "tanh" => Nonlinearity.Tanh,
                "relu" => Nonlinearity.ReLU,
                "leaky_relu" => Nonlinearity.LeakyReLU,
                "selu" => Nonlinearity.SELU,
                _ => throw new NotSupportedException(n),
            };
            double slope = Num(g, "param", 0.01); // PyTorch's default slope for leaky_relu is 0.01 too
            check.Value($"gain({n}, {slope})", Num(g, "gain"), Init.Gain(nonlinearity, slope));
        }
        check.Verify();
        var fans = Case("fan_in_and_fan_out");
        check = new ParityCheck(fans, output);
        foreach (var f in fans.GetProperty("fans").EnumerateArray())
        {
            var shape = f.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var (fanIn, fanOut) = Init.Fans(new Shape(shape));
            check.Values($"fans [{string.Join(", ", shape)}]", [Num(f, "fan_in"), Num(f, "fan_out")], [fanIn, fanOut]);
        }
        check.Verify();
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void ScheduleMatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        double baseRate = Num(c, "base_lr");
        var optimizer = new SGD([new Parameter(Tensor.Zeros([1], DType.Float64))], baseRate);
        var s = c.GetProperty("schedule");
        var rates = new List<double>();
        if (s.GetProperty("kind").GetString() == "ReduceLROnPlateau")
        {
            var plateau = new ReduceOnPlateau(optimizer, Num(s, "factor"), Int(s, "patience"), Num(s, "threshold"), Int(s, "cooldown"),
                Num(s, "min_lr"), maximize: s.GetProperty("mode").GetString() == "max");
            foreach (var m in c.GetProperty("metrics").EnumerateArray())
            {
                plateau.Report(m.GetDouble());
                rates.Add(optimizer.LearningRate);
            }
        }
        else
        {
            var schedule = BuildSchedule(s, baseRate).Attach(optimizer);
            rates.Add(optimizer.LearningRate);
            int steps = c.GetProperty("rates").GetArrayLength() - 1;
            for (int i = 0; i < steps; i++)
            {
                schedule.Step();
                rates.Add(optimizer.LearningRate);
            }
        }
        check.Values("rates", c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray(), [.. rates]);
        check.Verify();
    }

    [Theory]
    [MemberData(nameof(Clipping))]
    public void ClippingMatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        var grads = c.GetProperty("grads").EnumerateArray().Select(g => ToTensor(g)).ToArray();
        var parameters = grads.Select(g => new Parameter(Tensor.Zeros(g.Shape.ToArray(), DType.Float64))).ToArray();
        // The gradients arrive by backpropagation: L = Σ <θ, g> gives ∂L/∂θ = g exactly.
        Tensor? loss = null;
        for (int i = 0; i < grads.Length; i++)
        {
            var term = ((Tensor)parameters[i] * grads[i]).Sum();
            loss = loss is null ? term : loss + term;
        }
        loss!.Backward();
        if (c.GetProperty("kind").GetString() == "norm")
            check.Value("total norm", Num(c, "total_norm"), GradientClipping.ClipByGlobalNorm(parameters, Num(c, "value")));
        else
            GradientClipping.ClipByValue(parameters, Num(c, "value"));
        int k = 0;
        foreach (var expected in c.GetProperty("clipped").EnumerateArray())
        {
            check.Tensor($"gradient {k}", expected, parameters[k].Grad);
            k++;
        }
        check.Verify();
    }

    private static Optimizer BuildOptimizer(string name, JsonElement a, IEnumerable<ParamGroup> p)
    {
        double lr = Num(a, "lr"), wd = Num(a, "weight_decay", 0);
        var betas = DoubleArray(a, "betas") ?? [0.9, 0.999];
        return name switch
        {
            "SGD" => new SGD(p, lr, Num(a, "momentum", 0), Bool(a, "nesterov"), wd),
            "Adam" => new Adam(p, lr, betas[0], betas[1], Num(a, "eps", 1e-8), wd),
            "AdamW" => new AdamW(p, lr, betas[0], betas[1], Num(a, "eps", 1e-8), Num(a, "weight_decay", 0.01)),
            "AdaGrad" => new AdaGrad(p, lr, Num(a, "eps"), wd),
            "AdaDelta" => new AdaDelta(p, lr, Num(a, "rho"), Num(a, "eps"), wd),
            // PyTorch's form √r + ε (the lecture's √(r + δ) is Nabla's default).
            "RMSProp" => new RMSProp(p, lr, Num(a, "alpha"), Num(a, "eps"), Num(a, "momentum", 0), nesterov: false, weightDecay: wd, epsilonInsideRoot: false),
            _ => throw new NotSupportedException($"parity: optimizer '{name}' has no Nabla counterpart in the replay"),
        };
    }

    private static LearningRateSchedule BuildSchedule(JsonElement s, double eta)
    {
        switch (s.GetProperty("kind").GetString())
        {
            case "StepLR": return new StepDecay(eta, Num(s, "gamma"), Int(s, "step_size"));
            case "ExponentialLR": return new ExponentialDecay(eta, Num(s, "gamma"));
            case "CosineAnnealingLR": return new CosineDecay(eta, Int(s, "T_max"), Num(s, "eta_min"), holdMinimum: false); // keeps following the cosine past T
            case "LinearLR": return new LinearDecay(Num(s, "start_factor") * eta, Num(s, "end_factor") * eta, Int(s, "total_iters"));
            case "SequentialLR":
                var w = s.GetProperty("warmup");
                return new LinearWarmup(BuildSchedule(s.GetProperty("then"), eta), Int(w, "total_iters"), Num(w, "start_factor") * eta);
            case "LambdaLR":
                return s.GetProperty("formula").GetString() == "1/sqrt(t+1)" ? new InverseSqrtDecay(eta) : new InverseTimeDecay(eta, Num(s, "decay_rate"));
            case var k: throw new NotSupportedException($"parity: schedule '{k}' has no Nabla counterpart in the replay");
        }
    }
}
