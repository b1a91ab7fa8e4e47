namespace Nabla.NN;

/// <summary>Which fan the Kaiming initializers preserve the variance of.</summary>
public enum FanMode
{
    /// <summary>The number of inputs of a unit: keeps the variance of activations in the forward pass.</summary>
    FanIn,

    /// <summary>The number of outputs fed by an input: keeps the variance of gradients in the backward pass.</summary>
    FanOut,
}
