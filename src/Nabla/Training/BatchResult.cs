namespace Nabla.Training;

/// <summary>The outcome of one training step: its position in the epoch, size, mean loss and running epoch figures.</summary>
public readonly record struct BatchResult(int Epoch, int Index, int BatchesPerEpoch, int Size, double Loss, double RunningLoss, double RunningAccuracy, double SamplesPerSecond);
