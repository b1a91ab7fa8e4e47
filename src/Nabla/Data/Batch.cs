using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// One mini-batch handed out by a <see cref="DataLoader"/> (or one example of a <see cref="TensorDataset"/>).
/// </summary>
/// <param name="Features">The inputs, [B, ...] (the dataset's feature shape with B rows).</param>
/// <param name="Labels">The class labels of the rows (classification), or null.</param>
/// <param name="Targets">The targets of the rows, [B, ...] (regression), or null.</param>
/// <param name="Indices">The positions of the rows in the dataset, in batch order.</param>
public sealed record Batch(Tensor Features, int[]? Labels, Tensor? Targets, int[] Indices)
{
    /// <summary>The number of rows.</summary>
    public int Count => Indices.Length;
}
