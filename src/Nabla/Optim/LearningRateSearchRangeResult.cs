namespace Nabla.Optim;

/// <summary>The outcome of a learning-rate range test: the curve (rate, loss) and the suggested rate.</summary>
/// <param name="Rates">The rate of each step taken.</param>
/// <param name="Losses">The raw loss at each step (computed before that step's update).</param>
/// <param name="SmoothedLosses">The bias-corrected exponential moving average of the losses.</param>
/// <param name="SteepestRate">The rate where the smoothed loss falls fastest against log(rate), before its minimum (NaN with fewer than 3 points).</param>
/// <param name="MinLossRate">The rate at the lowest smoothed loss.</param>
/// <param name="SuggestedRate"><paramref name="SteepestRate"/>, or <paramref name="MinLossRate"/>/10 when no steepest point was found.</param>
/// <param name="Diverged">True when the test stopped early because the loss blew up.</param>
public sealed record LearningRateSearchRangeResult(
    IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, IReadOnlyList<double> SmoothedLosses,
    double SteepestRate, double MinLossRate, double SuggestedRate, bool Diverged);
