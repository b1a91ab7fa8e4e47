using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Rotates each image about its center by an angle drawn uniformly from [−<see cref="MaxDegrees"/>, <see cref="MaxDegrees"/>]
/// degrees, sampling bilinearly; pixels from outside the image are 0.
/// </summary>
public sealed class RandomRotation : ImageAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="maxDegrees">The largest rotation in degrees, in [0, 180].</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomRotation(double maxDegrees, ulong? seed = null) : base(seed)
    {
        if (!(maxDegrees >= 0 && maxDegrees <= 180)) throw new ValueException($"RandomRotation: maxDegrees must be in [0, 180], got {maxDegrees}");
        MaxDegrees = maxDegrees;
    }

    /// <summary>The largest rotation in degrees.</summary>
    public double MaxDegrees { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        double degrees = (2 * Generator.NextDouble() - 1) * MaxDegrees;
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++)
        {
            var p = image.Slice(ch * plane, plane);
            p.CopyTo(scratch);
            ImageTransforms.Affine(scratch, p, height, width, degrees);
        }
    }
}
