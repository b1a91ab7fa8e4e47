using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// A feature transformation learned from data: <see cref="Fit"/> on the training set only, then
/// <see cref="Transform"/> any set (training, validation, test) with the statistics of the training set.
/// The fitted state exports to plain named arrays for checkpoints.
/// </summary>
/// <remarks>Inputs are [N, ...] with examples along the first axis; each example is treated as a flat vector of D features.</remarks>
public interface IPreprocessor
{
    /// <summary>Whether <see cref="Fit"/> (or <see cref="ImportState"/>) has run.</summary>
    bool IsFitted { get; }

    /// <summary>Learns the transformation's statistics from <paramref name="train"/> [N, ...].</summary>
    void Fit(Tensor train);

    /// <summary>Applies the fitted transformation to <paramref name="data"/> [M, ...] (a new tensor of the same element type).</summary>
    Tensor Transform(Tensor data);

    /// <summary>The fitted state as named arrays of doubles.</summary>
    IReadOnlyDictionary<string, double[]> ExportState();

    /// <summary>Restores a state returned by <see cref="ExportState"/>.</summary>
    void ImportState(IReadOnlyDictionary<string, double[]> state);
}
