using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>What <see cref="Trainer.Predict"/> returns: the model's probabilities (or raw outputs for regression) and, for classifiers, the most likely class per sample.</summary>
public sealed record Prediction(Tensor Probabilities, int[] Classes);
