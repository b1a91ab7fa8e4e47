namespace Nabla.Optim;

/// <summary>Exponential decay: ηₜ = η₀ · γᵗ.</summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="gamma">γ in (0, 1].</param>
    public ExponentialDecay(double initialRate, double gamma)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        Gamma = OptionCheck.DecayFactor(Name, "gamma", gamma);
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double Rate(long t) => InitialRate * Math.Pow(Gamma, t);
}
