using System.Globalization;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Inverted dropout. In training each element is dropped (set to 0) with probability p and the survivors are
/// scaled by 1/(1 − p), so the expected output equals the input; a fresh mask is drawn on every call (each
/// mini-batch resamples the dropped neurons). In evaluation it is the identity, so nothing needs rescaling at test time.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer with drop probability <paramref name="p"/>; masks come from <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1))
            throw new ValueException($"Dropout: the drop probability must be in [0, 1], got {p}");
        P = p;
        _generator = generator;
    }

    /// <summary>The probability of dropping an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!IsTraining || P == 0) return input;
        var gen = _generator ?? Generator.Default;
        var mask = Tensor.ZerosLike(input);
        double scale = P == 1 ? 0 : 1 / (1 - P);
        if (mask.DType == DType.Float32)
        {
            var m = mask.AsSpan<float>();
            for (int i = 0; i < m.Length; i++) m[i] = gen.NextDouble() < P ? 0f : (float)scale;
        }
        else
        {
            var m = mask.AsSpan<double>();
            for (int i = 0; i < m.Length; i++) m[i] = gen.NextDouble() < P ? 0 : scale;
        }
        return input * mask;
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Dropout(p={P})");
}
