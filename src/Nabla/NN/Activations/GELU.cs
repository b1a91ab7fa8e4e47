using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The Gaussian error linear unit GELU(x) = x·Φ(x), with Φ the standard normal cumulative distribution (exact, not the tanh approximation).</summary>
public sealed class GELU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.GELU();

    /// <inheritdoc/>
    public override string Describe() => "GELU";
}
