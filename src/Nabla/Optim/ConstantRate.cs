namespace Nabla.Optim;

/// <summary>A constant rate: ηₜ = η.</summary>
public sealed class ConstantRate : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="rate">η, finite and ≥ 0.</param>
    public ConstantRate(double rate) => InitialRate = OptionCheck.NonNegative(Name, "rate", rate);

    /// <summary>η.</summary>
    public double InitialRate { get; }

    /// <inheritdoc/>
    public override double Rate(long t) => InitialRate;
}
