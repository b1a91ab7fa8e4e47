using System.Buffers;
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
    private readonly Generator _generator;

    /// <summary>
    /// Creates the layer with drop probability <paramref name="p"/>. Masks come from <paramref name="generator"/>, or
    /// from a generator of the layer's own spawned from <see cref="Generator.Default"/> now (so a
    /// <see cref="Generator.ManualSeed"/> before building the model fixes the masks, and two models trained on two
    /// threads never share one). Checkpoints save its state (<see cref="Module.NamedGenerators"/>).
    /// </summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1))
            throw new ValueException($"Dropout: the drop probability must be in [0, 1], got {p}");
        P = p;
        _generator = Generator.OwnOrSpawn(generator);
    }

    /// <summary>The probability of dropping an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!IsTraining || P == 0) return input;
        var mask = Tensor.ZerosLike(input);
        double scale = P == 1 ? 0 : 1 / (1 - P);
        int n = mask.Numel;
        var u = ArrayPool<double>.Shared.Rent(n);
        try
        {
            _generator.Fill(u.AsSpan(0, n)); // one lock for the whole mask
            if (mask.DType == DType.Float32)
            {
                var m = mask.AsSpan<float>();
                for (int i = 0; i < m.Length; i++) m[i] = u[i] < P ? 0f : (float)scale;
            }
            else
            {
                var m = mask.AsSpan<double>();
                for (int i = 0; i < m.Length; i++) m[i] = u[i] < P ? 0 : scale;
            }
        }
        finally { ArrayPool<double>.Shared.Return(u); }
        return input * mask;
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Dropout(p={P})");
}
