namespace Nabla.Optim;

/// <summary>
/// Step decay, the lectures' "reduce the learning rate by some factor every few epochs": ηₜ = η₀ · γ^⌊t / k⌋
/// (multiplied by γ every k epochs or steps).
/// </summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η₀, finite and ≥ 0.</param>
    /// <param name="gamma">γ in (0, 1].</param>
    /// <param name="stepSize">k ≥ 1.</param>
    public StepDecay(double initialRate, double gamma, long stepSize)
    {
        InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);
        Gamma = OptionCheck.DecayFactor(Name, "gamma", gamma);
        StepSize = OptionCheck.PositiveCount(Name, "step size", stepSize);
    }

    /// <summary>η₀.</summary>
    public double InitialRate { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <summary>k.</summary>
    public long StepSize { get; }

    /// <inheritdoc/>
    public override double Rate(long t) => InitialRate * Math.Pow(Gamma, t / StepSize);
}
