using Nabla.Optim;

namespace Nabla.Training;

/// <summary>Feeds a metric to a <see cref="ReduceOnPlateau"/> after every epoch (the rate is cut by its factor when the metric stalls).</summary>
public sealed class ReduceLearningRateOnPlateau(ReduceOnPlateau rule, string monitor = "val_loss") : Callback
{
    /// <summary>The rule applied.</summary>
    public ReduceOnPlateau Rule { get; } = rule;

    /// <summary>The metric reported to it.</summary>
    public string Monitor { get; } = monitor;

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochRecord record) => Rule.Report(record.Get(Monitor));
}
