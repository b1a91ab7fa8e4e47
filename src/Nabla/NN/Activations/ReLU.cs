using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The rectified linear unit, ReLU(x) = max(0, x): half rectified, cheap, and its gradient (1 for x &gt; 0) does not vanish. The lectures' first choice.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.ReLU();

    /// <inheritdoc/>
    public override string Describe() => "ReLU";
}
