using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Finding a learning rate. The lectures: the best rate cannot be computed, so try rates on a log scale
/// (0.1 down to 10⁻⁵ or 10⁻⁶) in short runs from the same starting weights and keep the best (<see cref="Grid(IEnumerable{Parameter}, Func{double, Optimizer}, Func{Optimizer, double}, IEnumerable{double}?)"/>);
/// or, cheaper, raise the rate exponentially during one short run and read the loss curve (<see cref="RangeTest"/>).
/// Both leave the parameters exactly as they found them.
/// </summary>
public static class LearningRateSearch
{
    /// <summary>
    /// Rates on a log scale from <paramref name="max"/> down to <paramref name="min"/>, <paramref name="pointsPerDecade"/>
    /// per factor of 10: max·10^(−k/pointsPerDecade) for k = 0, 1, … while ≥ min (within rounding). The default is
    /// 0.1, 0.01, …, 1e-6.
    /// </summary>
    public static double[] LogGrid(double max = 0.1, double min = 1e-6, int pointsPerDecade = 1)
    {
        CheckRange(nameof(LogGrid), max, min);
        OptionCheck.PositiveCount(nameof(LogGrid), "points per decade", pointsPerDecade);
        int last = (int)Math.Floor(Math.Log10(max / min) * pointsPerDecade + 1e-9);
        return Enumerable.Range(0, last + 1).Select(k => max * Math.Pow(10, -(double)k / pointsPerDecade)).ToArray();
    }

    /// <summary><paramref name="count"/> ≥ 2 rates spaced evenly on a log scale from <paramref name="max"/> down to <paramref name="min"/> (both included).</summary>
    public static double[] LogSpace(double max, double min, int count)
    {
        CheckRange(nameof(LogSpace), max, min);
        if (count < 2) throw new ValueException($"{nameof(LogSpace)}: count must be ≥ 2, got {count}");
        return Enumerable.Range(0, count).Select(k => max * Math.Pow(min / max, (double)k / (count - 1))).ToArray();
    }

    /// <summary>
    /// Grid search judged by the final training loss: see
    /// <see cref="Grid(IEnumerable{Parameter}, Func{double, Optimizer}, Func{Optimizer, LearningRateSearchOutcome}, IEnumerable{double}?, bool)"/>.
    /// </summary>
    public static LearningRateSearchResult Grid(IEnumerable<Parameter> parameters, Func<double, Optimizer> createOptimizer,
        Func<Optimizer, double> train, IEnumerable<double>? rates = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Grid(parameters, createOptimizer, o => new LearningRateSearchOutcome(train(o)), rates);
    }

    /// <summary>
    /// The lectures' grid search: for each rate (default <see cref="LogGrid"/>: 0.1 … 1e-6), the parameters are reset to
    /// their values at the call, <paramref name="createOptimizer"/> builds a fresh optimizer with that rate and
    /// <paramref name="train"/> runs a short training with it, returning the final loss and optionally a validation metric.
    /// The best trial has the lowest loss, or the best metric when every trial reports one; NaN or infinite results mark
    /// a trial as diverged. At the end (also on an exception) the parameters hold their initial values again and no gradient.
    /// For comparable trials, the callback should draw its batches from a generator it reseeds itself.
    /// </summary>
    /// <param name="parameters">The parameters the optimizers train (copied before, restored before each trial and after).</param>
    /// <param name="createOptimizer">Builds an optimizer over <paramref name="parameters"/> with the given rate.</param>
    /// <param name="train">The short training run.</param>
    /// <param name="rates">The rates to try, in order; default <see cref="LogGrid"/>().</param>
    /// <param name="maximizeMetric">True when a larger metric is better (an accuracy).</param>
    public static LearningRateSearchResult Grid(IEnumerable<Parameter> parameters, Func<double, Optimizer> createOptimizer,
        Func<Optimizer, LearningRateSearchOutcome> train, IEnumerable<double>? rates = null, bool maximizeMetric = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        ArgumentNullException.ThrowIfNull(train);
        var ps = parameters.ToArray();
        var grid = (rates ?? LogGrid()).ToArray();
        if (grid.Length == 0) throw new ValueException($"{nameof(Grid)}: the list of rates is empty");
        foreach (var r in grid) OptionCheck.Positive(nameof(Grid), "learning rate", r);
        var snapshot = Snapshot(ps);
        var trials = new List<LearningRateSearchTrial>(grid.Length);
        try
        {
            foreach (double rate in grid)
            {
                Restore(ps, snapshot);
                var outcome = train(createOptimizer(rate));
                bool diverged = !double.IsFinite(outcome.Loss) || outcome.Metric is double m && !double.IsFinite(m);
                trials.Add(new LearningRateSearchTrial(rate, outcome.Loss, outcome.Metric, diverged));
            }
        }
        finally
        {
            Restore(ps, snapshot);
        }
        bool byMetric = trials.All(t => t.Metric.HasValue);
        LearningRateSearchTrial? best = null;
        foreach (var t in trials.Where(t => !t.Diverged))
        {
            if (best is null) { best = t; continue; }
            bool better = byMetric
                ? maximizeMetric ? t.Metric > best.Metric : t.Metric < best.Metric
                : t.Loss < best.Loss;
            if (better) best = t;
        }
        return new LearningRateSearchResult(trials, best, byMetric);
    }

    /// <summary>
    /// The learning-rate range test: one short run in which the rate rises exponentially from <paramref name="minRate"/>
    /// to <paramref name="maxRate"/> over <paramref name="steps"/> optimizer steps, ηᵢ = min·(max/min)^(i/(steps−1)).
    /// Each step calls <paramref name="lossAndBackward"/> (compute the loss on the next batch, call Backward, return the
    /// loss) and then <see cref="Optimizer.Step"/>. The loss is smoothed by a bias-corrected exponential moving average
    /// (aᵢ = β aᵢ₋₁ + (1 − β) Lᵢ, smoothed = aᵢ / (1 − βⁱ⁺¹)); the test stops once the smoothed loss exceeds
    /// <paramref name="divergenceFactor"/> × its lowest value, or the loss is NaN or infinite.
    /// The suggested rate is where the smoothed loss falls fastest against log η (central differences), looking only
    /// up to the lowest smoothed loss: there the rate is large enough to learn quickly and still safely below the
    /// rates that blow up. At the end the parameters, gradients and optimizer state (its rate included) are restored.
    /// </summary>
    public static LearningRateSearchRangeResult RangeTest(Optimizer optimizer, Func<double> lossAndBackward,
        double minRate = 1e-7, double maxRate = 10, int steps = 100, double smoothing = 0.98, double divergenceFactor = 4)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lossAndBackward);
        const string name = nameof(RangeTest);
        CheckRange(name, maxRate, minRate);
        if (steps < 3) throw new ValueException($"{name}: steps must be ≥ 3, got {steps}");
        OptionCheck.UnitInterval(name, "smoothing", smoothing);
        if (!(divergenceFactor > 1) || double.IsInfinity(divergenceFactor))
            throw new ValueException($"{name}: divergence factor must be a finite number > 1, got {divergenceFactor}");

        var ps = optimizer.Parameters().ToArray();
        var snapshot = Snapshot(ps);
        var state = optimizer.GetState();
        var rates = new List<double>(steps);
        var losses = new List<double>(steps);
        var smoothed = new List<double>(steps);
        bool diverged = false;
        try
        {
            double avg = 0, best = double.PositiveInfinity;
            for (int i = 0; i < steps; i++)
            {
                double rate = minRate * Math.Pow(maxRate / minRate, (double)i / (steps - 1));
                optimizer.LearningRate = rate;
                optimizer.ZeroGrad();
                double loss = lossAndBackward();
                if (!double.IsFinite(loss)) { diverged = true; break; }
                avg = smoothing * avg + (1 - smoothing) * loss;
                double s = avg / (1 - Math.Pow(smoothing, i + 1));
                rates.Add(rate);
                losses.Add(loss);
                smoothed.Add(s);
                best = Math.Min(best, s);
                if (s > divergenceFactor * best) { diverged = true; break; }
                optimizer.Step();
            }
        }
        finally
        {
            Restore(ps, snapshot);
            optimizer.LoadState(state);
        }
        if (rates.Count == 0)
            throw new ValueException($"{name}: the first loss was NaN or infinite at rate {minRate}; nothing to suggest");

        int argMin = 0;
        for (int i = 1; i < smoothed.Count; i++) if (smoothed[i] < smoothed[argMin]) argMin = i;
        double steepest = double.NaN, steepestSlope = double.PositiveInfinity;
        for (int i = 1; i < Math.Min(argMin + 1, smoothed.Count - 1); i++)
        {
            double slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.Log10(rates[i + 1]) - Math.Log10(rates[i - 1]));
            if (slope < steepestSlope) { steepestSlope = slope; steepest = rates[i]; }
        }
        double suggested = double.IsNaN(steepest) ? rates[argMin] / 10 : steepest;
        return new LearningRateSearchRangeResult(rates, losses, smoothed, steepest, rates[argMin], suggested, diverged);
    }

    private static void CheckRange(string owner, double max, double min)
    {
        OptionCheck.Positive(owner, "largest rate", max);
        OptionCheck.Positive(owner, "smallest rate", min);
        if (min >= max) throw new ValueException($"{owner}: the smallest rate {min} must be below the largest {max}");
    }

    private static Tensor[] Snapshot(Parameter[] ps) => ps.Select(p => p.Data.Clone()).ToArray();

    private static void Restore(Parameter[] ps, Tensor[] snapshot)
    {
        for (int i = 0; i < ps.Length; i++)
        {
            ps[i].Data.CopyFrom(snapshot[i]);
            ps[i].Grad = null;
        }
    }
}
