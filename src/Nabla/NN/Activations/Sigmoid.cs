using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The logistic sigmoid σ(x) = 1 / (1 + e^(−x)), squashing into (0, 1); used where an output is a probability.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();

    /// <inheritdoc/>
    public override string Describe() => "Sigmoid";
}
