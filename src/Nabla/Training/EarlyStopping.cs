using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Stops training once the monitored metric has failed to improve by more than <see cref="MinDelta"/> in
/// <see cref="Patience"/> consecutive epochs (as Keras counts; the lectures' early stopping: stop where the validation error starts rising), and
/// optionally restores the weights of the best epoch. Its counters and the best epoch's weights are part of the trainer's
/// state (<see cref="IStateful"/>), so a resumed run stops where the uninterrupted one would have.
/// </summary>
public sealed class EarlyStopping : Callback, IStateful
{
    private List<Tensor>? _bestState;
    private bool _restored;

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
        // A state just restored (a resumed run) keeps its count of epochs without improvement.
        if (!_restored) _wait = 0;
        else if (_bestState is not null)
        {
            var current = StateTensors(context).ToList();
            if (current.Count != _bestState.Count || current.Zip(_bestState).Any(p => !p.First.Shape.Equals(p.Second.Shape)))
                throw new Errors.ValueException(
                    $"EarlyStopping: the restored best weights ({_bestState.Count} tensors) do not fit the model ({current.Count} parameters and buffers)");
        }
        _restored = false;
        StoppedEpoch = 0;
    }

    /// <summary>The epochs without improvement counted so far.</summary>
    public int Wait => _wait;

    /// <summary>
    /// The monitor's state: the metric's name, the best value and its epoch, the epochs without improvement, and (with
    /// <see cref="RestoreBestWeights"/>) the best epoch's parameters and buffers as tensors <c>best.0</c>, <c>best.1</c>, ….
    /// </summary>
    public StateDict StateDict()
    {
        var state = new StateDict().Set("type", nameof(EarlyStopping)).Set("monitor", Monitor).Set("best", Best)
            .Set("best_epoch", BestEpoch).Set("wait", _wait).Set("stopped_epoch", StoppedEpoch);
        if (_bestState is not null)
        {
            state.Set("best_tensors", _bestState.Count);
            for (int i = 0; i < _bestState.Count; i++) state.Set($"best.{i}", _bestState[i].Clone());
        }
        return state;
    }

    /// <summary>Restores a state saved by <see cref="StateDict"/>; everything is checked before anything changes.</summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string type = state.GetString("type");
        if (type != nameof(EarlyStopping)) throw new Errors.ValueException($"EarlyStopping: the state was saved by a {type}");
        string monitor = state.GetString("monitor");
        if (monitor != Monitor)
            throw new Errors.ValueException($"EarlyStopping: the state monitors '{monitor}', this callback monitors '{Monitor}'");
        int Count(string key)
        {
            long v = state.GetLong(key);
            return v is >= 0 and <= int.MaxValue ? (int)v : throw new Errors.ValueException($"EarlyStopping: the state needs a whole '{key}' >= 0, got {v}");
        }
        double best = state.GetDouble("best");
        int bestEpoch = Count("best_epoch"), wait = Count("wait"), stopped = Count("stopped_epoch");
        List<Tensor>? snapshot = null;
        if (state.Contains("best_tensors"))
        {
            int n = Count("best_tensors");
            snapshot = new List<Tensor>(n);
            for (int i = 0; i < n; i++) snapshot.Add(state.GetTensor($"best.{i}").Clone());
        }
        Best = best;
        BestEpoch = bestEpoch;
        _wait = wait;
        StoppedEpoch = stopped;
        _bestState = snapshot;
        _restored = true;
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
