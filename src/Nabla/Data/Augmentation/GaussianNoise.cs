using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>Adds independent normal noise N(0, <see cref="Std"/>²) to every pixel (no clipping).</summary>
public sealed class GaussianNoise : IAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="std">The noise standard deviation (at least 0).</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Generator.Default"/>.</param>
    public GaussianNoise(double std, ulong? seed = null)
    {
        if (!(std >= 0) || !double.IsFinite(std)) throw new ValueException($"GaussianNoise: std must be finite and at least 0, got {std}");
        Std = std;
        Generator = seed is ulong s ? new Generator(s) : Generator.Default.Spawn();
    }

    /// <summary>The noise standard deviation.</summary>
    public double Std { get; }

    /// <summary>The augmentation's own random generator.</summary>
    public Generator Generator { get; }

    /// <summary>The state: the generator's (<c>generator.words</c>).</summary>
    public StateDict StateDict() => new StateDict().Add("generator", Generator.StateDict());

    /// <summary>Restores a state from <see cref="StateDict"/>.</summary>
    public void LoadStateDict(StateDict state) => Generator.LoadStateDict(state.Sub("generator"));

    /// <summary>Adds noise to every element of <paramref name="images"/> in place (any float32 shape).</summary>
    public void Apply(Tensor images)
    {
        if (images.DType != DType.Float32) throw new ValueException($"GaussianNoise: float32 images expected, got {images.DType}");
        var d = images.AsSpan<float>();
        for (int i = 0; i < d.Length; i++) d[i] += (float)(Std * Generator.NextNormal());
    }
}
