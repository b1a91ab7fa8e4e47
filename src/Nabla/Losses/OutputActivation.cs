namespace Nabla.Losses;

/// <summary>How predictions turn model outputs into probabilities (a loss names the one its outputs need: <see cref="Loss.OutputActivation"/>).</summary>
public enum OutputActivation
{
    /// <summary>Outputs are used as they are (regression, or a model ending in softmax).</summary>
    None,
    /// <summary>Softmax over the last axis (the model outputs logits for a softmax cross-entropy).</summary>
    Softmax,
    /// <summary>Logistic sigmoid (the model outputs logits for binary cross-entropy with logits).</summary>
    Sigmoid,
}
