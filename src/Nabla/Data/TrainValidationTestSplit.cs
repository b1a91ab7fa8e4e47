namespace Nabla.Data;

/// <summary>
/// A dataset cut three ways: train on <see cref="Train"/>, choose models and hyper-parameters on
/// <see cref="Validation"/>, and touch <see cref="Test"/> only once, at the end.
/// </summary>
/// <param name="Train">The training part.</param>
/// <param name="Validation">The validation part.</param>
/// <param name="Test">The test part.</param>
/// <param name="TrainIndices">Positions of the training rows in the original dataset (ascending).</param>
/// <param name="ValidationIndices">Positions of the validation rows (ascending).</param>
/// <param name="TestIndices">Positions of the test rows (ascending).</param>
public sealed record TrainValidationTestSplit(TensorDataset Train, TensorDataset Validation, TensorDataset Test,
    int[] TrainIndices, int[] ValidationIndices, int[] TestIndices);
