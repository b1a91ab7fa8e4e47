namespace Nabla.Data;

/// <summary>One fold of a k-fold cross-validation: train on <see cref="TrainIndices"/>, evaluate on <see cref="ValidationIndices"/>.</summary>
/// <param name="Index">The fold number, 0..k−1.</param>
/// <param name="TrainIndices">Rows to train on (ascending): all rows outside this fold.</param>
/// <param name="ValidationIndices">Rows to evaluate on (ascending): this fold.</param>
public sealed record Fold(int Index, int[] TrainIndices, int[] ValidationIndices);
