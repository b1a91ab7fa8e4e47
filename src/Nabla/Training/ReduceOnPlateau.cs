using Nabla.Errors;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Lowers the optimizer's learning rate when a monitored value (usually the validation loss) has stopped improving:
/// η ← max(η · factor, η_min). As a callback of a <see cref="Trainer"/> it reads <see cref="Monitor"/> after every
/// epoch (Keras's <c>ReduceLROnPlateau</c>); in a hand-written loop call <see cref="Report"/> once per epoch
/// (PyTorch's <c>ReduceLROnPlateau.step(metric)</c>). Its counters are part of the trainer's state (<see cref="IStateful"/>).
/// </summary>
/// <remarks>
/// A report improves when it is below best − minDelta (above best + minDelta when maximizing); it then becomes the
/// best and the count of bad reports restarts at 0, otherwise the count grows by one. When the count exceeds
/// <see cref="Patience"/> (the patience + 1-th bad report in a row), the rate is reduced, the count restarts and the
/// next <see cref="Cooldown"/> reports are not counted as bad. NaN reports count as bad.
/// </remarks>
public sealed class ReduceOnPlateau : Callback, IStateful
{
    private double _best;

    /// <summary>Creates the monitor for <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimizer whose base rate is lowered.</param>
    /// <param name="factor">The multiplier in (0, 1).</param>
    /// <param name="patience">How many bad reports in a row are tolerated (≥ 0).</param>
    /// <param name="minDelta">The least change (≥ 0, absolute) that counts as an improvement.</param>
    /// <param name="cooldown">How many reports after a reduction are ignored (≥ 0).</param>
    /// <param name="minLearningRate">η_min ≥ 0, the floor of the rate.</param>
    /// <param name="maximize">True when larger is better (an accuracy), false for a loss.</param>
    /// <param name="monitor">The metric a trainer reports after each epoch (an <see cref="EpochRecord"/> name; default val_loss).</param>
    public ReduceOnPlateau(Optimizer optimizer, double factor = 0.1, int patience = 10, double minDelta = 1e-4,
        int cooldown = 0, double minLearningRate = 0, bool maximize = false, string monitor = "val_loss")
    {
        Monitor = monitor;
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Factor = OptionCheck.OpenUnitInterval(Name, "factor", factor);
        Patience = (int)OptionCheck.NonNegativeCount(Name, "patience", patience);
        MinDelta = OptionCheck.NonNegative(Name, "min delta", minDelta);
        Cooldown = (int)OptionCheck.NonNegativeCount(Name, "cooldown", cooldown);
        MinLearningRate = OptionCheck.NonNegative(Name, "minimum learning rate", minLearningRate);
        Maximize = maximize;
        _best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    private static string Name => nameof(ReduceOnPlateau);

    /// <summary>The metric reported after each epoch when used as a callback.</summary>
    public string Monitor { get; }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochRecord record) => Report(record.Get(Monitor));

    /// <summary>The optimizer whose rate is lowered.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The multiplier applied at each reduction.</summary>
    public double Factor { get; }

    /// <summary>The number of bad reports in a row tolerated before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The least absolute change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The number of reports ignored after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>The floor of the learning rate.</summary>
    public double MinLearningRate { get; }

    /// <summary>Whether larger values are better.</summary>
    public bool Maximize { get; }

    /// <summary>The best value reported so far (±∞ before any report).</summary>
    public double Best => _best;

    /// <summary>The number of bad reports since the last improvement or reduction.</summary>
    public int BadReports { get; private set; }

    /// <summary>The number of reports still to be ignored after the last reduction.</summary>
    public int CooldownLeft { get; private set; }

    /// <summary>The number of reductions made.</summary>
    public int Reductions { get; private set; }

    /// <summary>Records one value of the monitored metric; returns true when it lowered the rate.</summary>
    public bool Report(double metric)
    {
        bool improved = Maximize ? metric > _best + MinDelta : metric < _best - MinDelta;
        if (improved) { _best = metric; BadReports = 0; }
        else BadReports++;
        if (CooldownLeft > 0) { CooldownLeft--; BadReports = 0; }
        if (BadReports <= Patience) return false;
        BadReports = 0;
        CooldownLeft = Cooldown;
        double old = Optimizer.LearningRate, lowered = Math.Max(old * Factor, MinLearningRate);
        if (lowered >= old) return false;
        Optimizer.LearningRate = lowered;
        Reductions++;
        return true;
    }

    /// <summary>The monitor's counters: <c>best</c>, <c>bad_reports</c>, <c>cooldown_left</c>, <c>reductions</c> (the rate itself is part of the optimizer's state).</summary>
    public StateDict StateDict() => new StateDict().Set("type", Name).Set("best", _best).Set("bad_reports", BadReports)
        .Set("cooldown_left", CooldownLeft).Set("reductions", Reductions);

    /// <summary>Restores the counters saved by <see cref="StateDict"/>; checked whole first.</summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string type = state.GetString("type");
        if (type != Name) throw new ValueException($"{Name}: the state was saved by a {type}");
        int Count(string key)
        {
            long v = state.GetLong(key);
            return v >= 0 && v <= int.MaxValue ? (int)v : throw new ValueException($"{Name}: the state needs a whole '{key}' ≥ 0, got {v}");
        }
        double best = state.GetDouble("best");
        if (double.IsNaN(best)) throw new ValueException($"{Name}: the state needs a 'best' value that is not NaN");
        int bad = Count("bad_reports"), cool = Count("cooldown_left"), reductions = Count("reductions");
        (_best, BadReports, CooldownLeft, Reductions) = (best, bad, cool, reductions);
    }
}
