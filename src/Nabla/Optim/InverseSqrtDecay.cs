namespace Nabla.Optim;

/// <summary>The lectures' "1/t decay" example: ηₜ = η / √(t + 1).</summary>
public sealed class InverseSqrtDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">η, finite and ≥ 0.</param>
    public InverseSqrtDecay(double initialRate) => InitialRate = OptionCheck.NonNegative(Name, "initial rate", initialRate);

    /// <summary>η.</summary>
    public double InitialRate { get; }

    /// <inheritdoc/>
    public override double Rate(long t) => InitialRate / Math.Sqrt(t + 1.0);
}
