namespace Nabla.Optim;

/// <summary>Inverse-time decay: ηₜ = η₀ / (1 + k t).</summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="decayRate">k, finite and ≥ 0.</param>
    public InverseTimeDecay(double initialRate, double decayRate)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        DecayRate = OptionCheck.NonNegative(Name, "decay rate", decayRate);
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>k.</summary>
    public double DecayRate { get; }

    /// <inheritdoc/>
    public override double Rate(long t) => InitialRate / (1 + DecayRate * t);
}
