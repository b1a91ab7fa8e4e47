namespace Nabla.NN;

/// <summary>The activation that follows a layer, for the gain of <see cref="Init"/>'s Xavier and Kaiming initializers.</summary>
public enum Nonlinearity
{
    /// <summary>No activation (identity; also used for convolutions): gain 1.</summary>
    Linear,

    /// <summary>Logistic sigmoid: gain 1.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent: gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU: gain √2 (half of the inputs are zeroed, halving the variance).</summary>
    ReLU,

    /// <summary>Leaky ReLU with negative slope a: gain √(2 / (1 + a²)).</summary>
    LeakyReLU,

    /// <summary>SELU: gain 3/4.</summary>
    SELU,
}
