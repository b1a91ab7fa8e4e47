using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>
/// The Gaussian error linear unit GELU(x) = x·Φ(x), with Φ the standard normal cumulative distribution: exact by
/// default, or the tanh approximation ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))) with <see cref="GELUApproximation.Tanh"/>
/// (PyTorch's <c>GELU(approximate='tanh')</c>; see <see cref="Tensor.GELU"/>).
/// </summary>
public sealed class GELU : Module
{
    /// <summary>Creates the activation.</summary>
    /// <param name="approximate">None (the default) for the exact form, Tanh for the tanh approximation.</param>
    public GELU(GELUApproximation approximate = GELUApproximation.None)
    {
        if (!Enum.IsDefined(approximate))
            throw new Errors.ValueException($"GELU: approximation {(int)approximate} is not one of None, Tanh");
        Approximate = approximate;
    }

    /// <summary>Which form is computed.</summary>
    public GELUApproximation Approximate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.GELU(Approximate);

    /// <summary><c>GELU</c>, or <c>GELU(tanh)</c> for the approximation.</summary>
    public override string Describe() => Approximate == GELUApproximation.None ? "GELU" : "GELU(tanh)";
}
