namespace Nabla.Optim;

/// <summary>
/// Cosine decay to a minimum over T: ηₜ = η_min + ½ (η₀ − η_min)(1 + cos(π t / T)) for t ≤ T; after T it holds η_min
/// (Keras's <c>CosineDecay</c>, the default) or, with <c>holdMinimum: false</c>, keeps following the same cosine, back
/// up to η₀ at 2T and down again at 3T (PyTorch's <c>CosineAnnealingLR(optimizer, T_max=T, eta_min=η_min)</c>).
/// </summary>
/// <remarks>
/// PyTorch computes the same values by a recursive update from the previous rate, whose rounding drifts by about
/// 1e−15 relative per step (after 20 steps of T = 10 it gives 0.10000000000000041 for η₀ = 0.1); this closed form does not drift.
/// </remarks>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="duration">T ≥ 1, in epochs or steps.</param>
    /// <param name="minRate">η_min, finite and ≥ 0.</param>
    /// <param name="holdMinimum">True (the default, as Keras) to stay at η_min after T; false to keep following the cosine (as PyTorch's <c>CosineAnnealingLR</c>).</param>
    public CosineDecay(double initialRate, long duration, double minRate = 0, bool holdMinimum = true)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        Duration = OptionCheck.PositiveCount(Name, "duration", duration);
        MinRate = OptionCheck.NonNegative(Name, "minimum rate", minRate);
        HoldMinimum = holdMinimum;
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>T.</summary>
    public long Duration { get; }

    /// <summary>η_min.</summary>
    public double MinRate { get; }

    /// <summary>True when the rate stays at η_min after T; false when it keeps following the cosine (PyTorch's behaviour).</summary>
    public bool HoldMinimum { get; }

    /// <inheritdoc/>
    public override double Rate(long t)
    {
        if (HoldMinimum && t >= Duration) return MinRate;
        // the cosine has period 2T: reduce t first so that π·t/T stays exact for large t
        long phase = t % (2 * Duration);
        return MinRate + 0.5 * (InitialRate - MinRate) * (1 + Math.Cos(Math.PI * phase / Duration));
    }
}
