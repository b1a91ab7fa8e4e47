namespace Nabla.Optim;

/// <summary>What a grid-search trial's training callback returns: its final training loss and, optionally, a validation metric.</summary>
/// <param name="Loss">The final training loss of the short run.</param>
/// <param name="Metric">A validation metric (loss or accuracy), or null; when every trial gives one, the best trial is chosen by it.</param>
public sealed record LearningRateSearchOutcome(double Loss, double? Metric = null);
