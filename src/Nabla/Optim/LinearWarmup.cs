namespace Nabla.Optim;

/// <summary>
/// A linear warm-up of W steps (or epochs) before another schedule: ηₜ = η_start + (η'₀ − η_start) · t / W for t &lt; W,
/// and ηₜ = η'(t − W) after, where η' is the wrapped schedule (which starts at its own t = 0 when the warm-up ends).
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="after">The schedule that follows the warm-up (its own Step is not called; only its formula is used).</param>
    /// <param name="warmupSteps">W ≥ 1.</param>
    /// <param name="startRate">η_start, finite and ≥ 0.</param>
    public LinearWarmup(LearningRateSchedule after, long warmupSteps, double startRate = 0)
    {
        ArgumentNullException.ThrowIfNull(after);
        After = after;
        WarmupSteps = OptionCheck.PositiveCount(Name, "warm-up steps", warmupSteps);
        StartRate = OptionCheck.NonNegative(Name, "start rate", startRate);
    }

    /// <summary>The wrapped schedule η'.</summary>
    public LearningRateSchedule After { get; }

    /// <summary>W.</summary>
    public long WarmupSteps { get; }

    /// <summary>η_start.</summary>
    public double StartRate { get; }

    /// <inheritdoc/>
    public override double Rate(long t)
        => t < WarmupSteps ? StartRate + (After.Rate(0) - StartRate) * t / WarmupSteps : After.Rate(t - WarmupSteps);
}
