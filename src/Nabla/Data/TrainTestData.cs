namespace Nabla.Data;

/// <summary>A dataset's standard training and test parts, with the names of its classes.</summary>
/// <param name="Train">The training examples.</param>
/// <param name="Test">The test examples (keep them for the final evaluation).</param>
/// <param name="ClassNames">The name of each label 0..K−1.</param>
public sealed record TrainTestData(TensorDataset Train, TensorDataset Test, IReadOnlyList<string> ClassNames);
