using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>Mirrors each image left-right with probability <see cref="P"/>.</summary>
public sealed class RandomHorizontalFlip : ImageAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="p">The probability of flipping an image, in [0, 1].</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomHorizontalFlip(double p = 0.5, ulong? seed = null) : base(seed)
    {
        if (!(p >= 0 && p <= 1)) throw new ValueException($"RandomHorizontalFlip: p must be in [0, 1], got {p}");
        P = p;
    }

    /// <summary>The probability of flipping an image.</summary>
    public double P { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        if (!(Generator.NextDouble() < P)) return;
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++)
        {
            var s = image.Slice(ch * plane, plane);
            ImageTransforms.FlipHorizontal(s, s, height, width);
        }
    }
}
