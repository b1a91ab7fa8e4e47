namespace Nabla.Training;

/// <summary>How <see cref="Trainer.Predict"/> turns model outputs into probabilities.</summary>
public enum OutputActivation
{
    /// <summary>Outputs are used as they are (regression, or a model ending in softmax).</summary>
    None,
    /// <summary>Softmax over the last axis (the model outputs logits for a softmax cross-entropy).</summary>
    Softmax,
    /// <summary>Logistic sigmoid (the model outputs logits for binary cross-entropy with logits).</summary>
    Sigmoid,
}
