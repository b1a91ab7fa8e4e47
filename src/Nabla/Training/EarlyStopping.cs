using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Stops training once the monitored metric has failed to improve by more than <see cref="MinDelta"/> in
/// <see cref="Patience"/> consecutive epochs (as Keras counts; the lectures' early stopping: stop where the validation error starts rising), and
/// optionally restores the weights of the best epoch.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private List<Tensor>? _bestState;

    /// <summary>Creates the callback. <paramref name="monitor"/> is a metric name (val_loss, val_accuracy, loss, accuracy); <paramref name="maximize"/> defaults to true for accuracies.</summary>
    public EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, bool restoreBestWeights = true, bool? maximize = null)
    {
        if (patience < 0) throw new Errors.ValueException($"EarlyStopping: patience must be non-negative, got {patience}");
        if (!(minDelta >= 0)) throw new Errors.ValueException($"EarlyStopping: minDelta must be non-negative, got {minDelta}");
        Monitor = monitor;
        Patience = patience;
        MinDelta = minDelta;
        RestoreBestWeights = restoreBestWeights;
        Maximize = maximize ?? monitor.Contains("accuracy", StringComparison.Ordinal);
    }

    /// <summary>The metric watched.</summary>
    public string Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the best epoch's weights are put back when training ends.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>True when larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The epoch of the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch at which training was stopped (0 if it was not).</summary>
    public int StoppedEpoch { get; private set; }

    private int _wait;

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context)
    {
        _wait = 0;
        StoppedEpoch = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        double v = record.Get(Monitor);
        if (double.IsNaN(v)) throw new Errors.ValueException($"EarlyStopping: metric '{Monitor}' is not available (no validation data?)");
        bool improved = double.IsNaN(Best) || (Maximize ? v > Best + MinDelta : v < Best - MinDelta);
        if (improved)
        {
            Best = v;
            BestEpoch = record.Epoch;
            _wait = 0;
            if (RestoreBestWeights) _bestState = Snapshot(context);
            return;
        }
        if (++_wait >= Patience)
        {
            StoppedEpoch = record.Epoch;
            context.StopTraining = true;
            context.StopReason = $"early stopping: {Monitor} did not improve for {Patience} epochs after epoch {BestEpoch} ({Best:G6})";
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (!RestoreBestWeights || _bestState is null || BestEpoch == context.History.Epochs[^1].Epoch) return;
        int i = 0;
        foreach (var t in StateTensors(context)) t.CopyFrom(_bestState[i++]);
    }

    private static List<Tensor> Snapshot(TrainingContext context) => StateTensors(context).Select(t => t.Clone()).ToList();

    private static IEnumerable<Tensor> StateTensors(TrainingContext context) =>
        context.Model.Parameters().Select(p => p.Data).Concat(context.Model.NamedBuffers().Select(b => b.Buffer));
}
