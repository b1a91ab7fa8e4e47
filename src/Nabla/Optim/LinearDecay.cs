namespace Nabla.Optim;

/// <summary>
/// The lectures' linear schedule, from a large initial rate to a small final one: with α = t / τ,
/// ηₜ = (1 − α) η₀ + α η_τ for t ≤ τ, and ηₜ = η_τ after τ (large changes early, fine-tuning at the end).
/// </summary>
public sealed class LinearDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="finalRate">η_τ, finite and ≥ 0 (usually about η₀/100).</param>
    /// <param name="duration">τ ≥ 1, in epochs or steps.</param>
    public LinearDecay(double initialRate, double finalRate, long duration)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        FinalRate = OptionCheck.NonNegative(Name, "final rate", finalRate);
        Duration = OptionCheck.PositiveCount(Name, "duration", duration);
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>η_τ.</summary>
    public double FinalRate { get; }

    /// <summary>τ.</summary>
    public long Duration { get; }

    /// <inheritdoc/>
    public override double Rate(long t)
    {
        if (t >= Duration) return FinalRate;
        double a = (double)t / Duration;
        return (1 - a) * InitialRate + a * FinalRate;
    }
}
