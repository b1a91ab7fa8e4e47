namespace Nabla.Optim;

/// <summary>
/// Cosine decay to a minimum over T: ηₜ = η_min + ½ (η₀ − η_min)(1 + cos(π t / T)) for t ≤ T, and η_min after.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="duration">T ≥ 1, in epochs or steps.</param>
    /// <param name="minRate">η_min, finite and ≥ 0.</param>
    public CosineDecay(double initialRate, long duration, double minRate = 0)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        Duration = OptionCheck.PositiveCount(Name, "duration", duration);
        MinRate = OptionCheck.NonNegative(Name, "minimum rate", minRate);
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>T.</summary>
    public long Duration { get; }

    /// <summary>η_min.</summary>
    public double MinRate { get; }

    /// <inheritdoc/>
    public override double Rate(long t)
        => t >= Duration ? MinRate : MinRate + 0.5 * (InitialRate - MinRate) * (1 + Math.Cos(Math.PI * t / Duration));
}
