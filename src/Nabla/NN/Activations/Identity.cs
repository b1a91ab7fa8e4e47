using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The linear activation (also called identity or "no activation"): f(x) = x, the weighted sum passed through unchanged.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;

    /// <inheritdoc/>
    public override string Describe() => "Identity";
}
