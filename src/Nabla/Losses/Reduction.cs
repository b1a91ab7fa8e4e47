namespace Nabla.Losses;

/// <summary>
/// How a <see cref="Loss"/> combines the losses of a batch of N samples, each of M elements (M = 1 for the
/// cross-entropies and <see cref="NLL"/>, whose class axis belongs to the loss itself).
/// </summary>
/// <remarks>
/// Two conventions meet here. <see cref="Mean"/>, <see cref="Sum"/> and <see cref="None"/> work on per-sample losses
/// lₙ (Keras's convention: the elementwise losses average over a sample's M elements first, see each loss).
/// <see cref="MeanAll"/>, <see cref="SumAll"/> and <see cref="PerElement"/> work on the loss of every element
/// (PyTorch's <c>'mean'</c>, <c>'sum'</c> and <c>'none'</c>). The two agree on the mean of an averaging loss
/// (<see cref="MSE"/>, <see cref="MAE"/>, <see cref="BinaryCrossEntropy"/>…: (1/N)·Σₙ lₙ is the mean over all N·M elements)
/// and on every reduction of the cross-entropies, whose element is the sample. They differ for <see cref="Sum"/>
/// (M times smaller than PyTorch's sum for an averaging loss), <see cref="None"/> (one value per sample, not per element)
/// and <see cref="KLDivergence"/>'s mean (<see cref="Mean"/> is PyTorch's <c>'batchmean'</c>, <see cref="MeanAll"/> its <c>'mean'</c>).
/// </remarks>
public enum Reduction
{
    /// <summary>The average (1/N)·Σₙ lₙ of the per-sample losses, a rank-0 tensor (class-weighted cross-entropy divides by the weights of the labels instead, see <see cref="CrossEntropy"/>). PyTorch's <c>'mean'</c> for every loss but <see cref="KLDivergence"/> (for which it is <c>'batchmean'</c>).</summary>
    Mean,

    /// <summary>The total Σₙ lₙ of the per-sample losses, a rank-0 tensor (Keras's <c>SUM</c>). For an averaging loss PyTorch's <c>'sum'</c> is <see cref="SumAll"/>.</summary>
    Sum,

    /// <summary>No reduction: the per-sample losses as a tensor of shape [N] (Keras's <c>NONE</c>). PyTorch's <c>'none'</c> is <see cref="PerElement"/>.</summary>
    None,

    /// <summary>PyTorch's <c>'sum'</c>: the sum of every element's loss, a rank-0 tensor (M·<see cref="Sum"/> for an averaging loss; <see cref="Sum"/> itself for the cross-entropies and <see cref="KLDivergence"/>).</summary>
    SumAll,

    /// <summary>PyTorch's <c>'mean'</c>: the mean of every element's loss over all N·M elements, a rank-0 tensor (the same as <see cref="Mean"/> except for <see cref="KLDivergence"/>, where <see cref="Mean"/> is <c>'batchmean'</c>).</summary>
    MeanAll,

    /// <summary>PyTorch's <c>'none'</c>: the loss of every element, a tensor shaped like the prediction (for the cross-entropies and <see cref="NLL"/>, whose element is the sample, the [N] per-sample losses, as <see cref="None"/>).</summary>
    PerElement,
}
