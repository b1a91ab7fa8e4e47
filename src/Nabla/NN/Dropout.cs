using System.Buffers;
using System.Globalization;
using System.Runtime.Intrinsics;
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
            if (mask.DType == DType.Float32) Mask(u.AsSpan(0, n), P, (float)scale, mask.AsSpan<float>());
            else Mask(u.AsSpan(0, n), P, scale, mask.AsSpan<double>());
        }
        finally { ArrayPool<double>.Shared.Return(u); }
        return input * mask;
    }

    // m[i] = u[i] < p ? 0 : scale, without branches (the draws are random, so a branch would be mispredicted half the
    // time): 4 draws at a time compared as a vector.
    private static void Mask(ReadOnlySpan<double> u, double p, float scale, Span<float> m)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var pv = Vector256.Create(p);
            var sv = Vector128.Create(scale);
            for (; i <= u.Length - 4; i += 4)
            {
                var keep = Vector256.GreaterThanOrEqual(Vector256.Create(u.Slice(i)), pv).AsUInt64();
                // The comparison's 64-bit lanes, narrowed to 32 bits, select the scale or zero.
                var lanes = Vector128.Narrow(keep.GetLower(), keep.GetUpper()).AsSingle();
                (lanes & sv).CopyTo(m.Slice(i));
            }
        }
        for (; i < u.Length; i++) m[i] = u[i] < p ? 0f : scale;
    }

    private static void Mask(ReadOnlySpan<double> u, double p, double scale, Span<double> m)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var pv = Vector256.Create(p);
            var sv = Vector256.Create(scale);
            for (; i <= u.Length - 4; i += 4)
                (Vector256.GreaterThanOrEqual(Vector256.Create(u.Slice(i)), pv) & sv).CopyTo(m.Slice(i));
        }
        for (; i < u.Length; i++) m[i] = u[i] < p ? 0 : scale;
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Dropout(p={P})");
}
