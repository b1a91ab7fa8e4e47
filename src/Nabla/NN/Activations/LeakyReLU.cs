using System.Globalization;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>
/// Leaky ReLU: f(x) = x for x &gt; 0, α·x otherwise. The small slope α (usually 0.01) keeps a gradient on the
/// negative side, so a neuron cannot "die" stuck at 0. A learnable α is <see cref="PReLU"/>.
/// </summary>
public sealed class LeakyReLU : Module
{
    /// <summary>Creates the activation with negative-side slope <paramref name="alpha"/>.</summary>
    public LeakyReLU(double alpha = 0.01)
    {
        if (!double.IsFinite(alpha))
            throw new Errors.ValueException($"LeakyReLU: alpha must be finite, got {alpha}");
        Alpha = alpha;
    }

    /// <summary>The slope for negative inputs.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.LeakyReLU(Alpha);

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"LeakyReLU(α={Alpha})");
}
