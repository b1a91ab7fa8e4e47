using System.Globalization;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>
/// The exponential linear unit: f(x) = x for x &gt; 0, α·(eˣ − 1) otherwise. Like leaky ReLU it keeps a gradient
/// for negative inputs, but saturates smoothly at −α instead of following a straight line.
/// </summary>
public sealed class ELU : Module
{
    /// <summary>Creates the activation; <paramref name="alpha"/> is the negative saturation value.</summary>
    public ELU(double alpha = 1.0)
    {
        if (!double.IsFinite(alpha))
            throw new Errors.ValueException($"ELU: alpha must be finite, got {alpha}");
        Alpha = alpha;
    }

    /// <summary>The scale α of the negative side.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.ELU(Alpha);

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"ELU(α={Alpha})");
}
