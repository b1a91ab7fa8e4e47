using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)), squashing into (−1, 1); zero-centred, unlike the sigmoid.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();

    /// <inheritdoc/>
    public override string Describe() => "Tanh";
}
