namespace Nabla.Optim;

/// <summary>One learning rate tried by <see cref="LearningRateSearch.Grid(IEnumerable{NN.Parameter}, Func{double, Optimizer}, Func{Optimizer, LearningRateSearchOutcome}, IEnumerable{double}?, bool)"/>.</summary>
/// <param name="LearningRate">The rate.</param>
/// <param name="Loss">The final training loss of its run.</param>
/// <param name="Metric">Its validation metric, or null.</param>
/// <param name="Diverged">True when the loss (or metric) was NaN or infinite; such a trial is never the best.</param>
public sealed record LearningRateSearchTrial(double LearningRate, double Loss, double? Metric, bool Diverged);
