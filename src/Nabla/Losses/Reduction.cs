namespace Nabla.Losses;

/// <summary>How a <see cref="Loss"/> combines the per-sample losses lₙ of a batch of N samples.</summary>
public enum Reduction
{
    /// <summary>The average (1/N)·Σₙ lₙ, a rank-0 tensor (class-weighted cross-entropy divides by the weights of the labels instead, see <see cref="CrossEntropy"/>).</summary>
    Mean,

    /// <summary>The total Σₙ lₙ, a rank-0 tensor.</summary>
    Sum,

    /// <summary>No reduction: the per-sample losses as a tensor of shape [N].</summary>
    None,
}
