namespace Nabla.Optim;

/// <summary>The outcome of a learning-rate grid search.</summary>
/// <param name="Trials">Every rate tried, in the order tried.</param>
/// <param name="Best">The best trial (lowest loss, or best metric when every trial has one), or null when all diverged.</param>
/// <param name="ByMetric">True when the best trial was chosen by the validation metric rather than the loss.</param>
public sealed record LearningRateSearchResult(IReadOnlyList<LearningRateSearchTrial> Trials, LearningRateSearchTrial? Best, bool ByMetric)
{
    /// <summary>The best rate, or NaN when every trial diverged.</summary>
    public double BestRate => Best?.LearningRate ?? double.NaN;
}
