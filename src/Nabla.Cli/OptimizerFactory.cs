using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli;

/// <summary>Builds the optimizer and learning-rate schedule named on the command line.</summary>
internal static class OptimizerFactory
{
    public const string Names = "sgd, momentum, nesterov, adagrad, rmsprop, rmsprop-nesterov, adadelta, adam, adamw, nadam";
    public const string Schedules = "constant, step, exponential, linear, inverse-sqrt, inverse-time, cosine, warmup-cosine";

    public static Optimizer Create(string name, IEnumerable<Parameter> parameters, double lr, double weightDecay)
    {
        // weight decay: coupled L2 for most, decoupled for AdamW; 0 means none, for AdamW too
        return name switch
        {
            "sgd" => new SGD(parameters, lr, weightDecay: weightDecay),
            "momentum" => new SGD(parameters, lr, momentum: 0.9, weightDecay: weightDecay),
            "nesterov" => new SGD(parameters, lr, momentum: 0.9, nesterov: true, weightDecay: weightDecay),
            "adagrad" => new AdaGrad(parameters, lr, weightDecay: weightDecay),
            "rmsprop" => new RMSProp(parameters, lr, weightDecay: weightDecay),
            "rmsprop-nesterov" => new RMSPropNesterov(parameters, lr, weightDecay: weightDecay),
            "adadelta" => new AdaDelta(parameters, lr, weightDecay: weightDecay),
            "adam" => new Adam(parameters, lr, weightDecay: weightDecay),
            "adamw" => new AdamW(parameters, lr, weightDecay: weightDecay),
            "nadam" => new NAdam(parameters, lr, weightDecay: weightDecay),
            _ => throw new CliException($"--optimizer: unknown optimizer '{name}'; choose one of {Names}"),
        };
    }

    public static void CheckName(string name)
    {
        if (!Names.Split(", ").Contains(name)) throw new CliException($"--optimizer: unknown optimizer '{name}'; choose one of {Names}");
    }

    public static void CheckSchedule(string name)
    {
        if (!Schedules.Split(", ").Contains(name)) throw new CliException($"--schedule: unknown schedule '{name}'; choose one of {Schedules}");
    }

    /// <summary>A schedule over <paramref name="steps"/> optimizer steps (per-step schedules), or null for constant.</summary>
    public static LearningRateSchedule? Schedule(string name, double lr, long steps, int epochs) => name switch
    {
        "constant" => null,
        "step" => new StepDecay(lr, 0.1, Math.Max(1, epochs / 3)) { Interval = ScheduleInterval.Epoch },
        "exponential" => new ExponentialDecay(lr, 0.9) { Interval = ScheduleInterval.Epoch },
        "linear" => new LinearDecay(lr, lr / 100, steps) { Interval = ScheduleInterval.Step },
        "inverse-sqrt" => new InverseSqrtDecay(lr) { Interval = ScheduleInterval.Epoch },
        "inverse-time" => new InverseTimeDecay(lr, 0.5) { Interval = ScheduleInterval.Epoch },
        "cosine" => new CosineDecay(lr, steps) { Interval = ScheduleInterval.Step },
        "warmup-cosine" => new LinearWarmup(new CosineDecay(lr, steps), Math.Max(1, steps / 20)) { Interval = ScheduleInterval.Step },
        _ => throw new CliException($"--schedule: unknown schedule '{name}'; choose one of {Schedules}"),
    };
}
