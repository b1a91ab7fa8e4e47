using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>Adds independent normal noise N(0, <see cref="Std"/>²) to every pixel (no clipping).</summary>
public sealed class GaussianNoise : IAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="std">The noise standard deviation (at least 0).</param>
    /// <param name="seed">Seed of its generator.</param>
    public GaussianNoise(double std, ulong seed = 0)
    {
        if (!(std >= 0) || !double.IsFinite(std)) throw new ValueException($"GaussianNoise: std must be finite and at least 0, got {std}");
        Std = std;
        Generator = new Generator(seed);
    }

    /// <summary>The noise standard deviation.</summary>
    public double Std { get; }

    /// <summary>The augmentation's own random generator.</summary>
    public Generator Generator { get; }

    /// <summary>Adds noise to every element of <paramref name="images"/> in place (any float32 shape).</summary>
    public void Apply(Tensor images)
    {
        if (images.DType != DType.Float32) throw new ValueException($"GaussianNoise: float32 images expected, got {images.DType}");
        var d = images.AsSpan<float>();
        for (int i = 0; i < d.Length; i++) d[i] += (float)(Std * Generator.NextNormal());
    }
}
