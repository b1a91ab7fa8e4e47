using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Zooms each image about its center by a factor drawn uniformly from [<see cref="MinScale"/>, <see cref="MaxScale"/>]
/// (above 1 enlarges), keeping the image size and sampling bilinearly; pixels from outside the image are 0.
/// </summary>
public sealed class RandomScale : ImageAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="minScale">The smallest factor (positive).</param>
    /// <param name="maxScale">The largest factor (at least <paramref name="minScale"/>).</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomScale(double minScale, double maxScale, ulong? seed = null) : base(seed)
    {
        if (!(minScale > 0 && maxScale >= minScale && double.IsFinite(maxScale)))
            throw new ValueException($"RandomScale: need 0 < minScale <= maxScale, got minScale {minScale} and maxScale {maxScale}");
        MinScale = minScale;
        MaxScale = maxScale;
    }

    /// <summary>The smallest zoom factor.</summary>
    public double MinScale { get; }

    /// <summary>The largest zoom factor.</summary>
    public double MaxScale { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        double scale = MinScale + (MaxScale - MinScale) * Generator.NextDouble();
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++)
        {
            var p = image.Slice(ch * plane, plane);
            p.CopyTo(scratch);
            ImageTransforms.Affine(scratch, p, height, width, 0, scale);
        }
    }
}
