using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The sigmoid linear unit (swish) SiLU(x) = x·σ(x).</summary>
public sealed class SiLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.SiLU();

    /// <inheritdoc/>
    public override string Describe() => "SiLU";
}
