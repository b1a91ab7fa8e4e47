using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Moves each image by a whole number of pixels drawn uniformly from [−<see cref="MaxShift"/>, <see cref="MaxShift"/>]
/// horizontally and, independently, vertically; uncovered pixels become 0.
/// </summary>
public sealed class RandomShift : ImageAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="maxShift">The largest shift in pixels along each axis (at least 0).</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomShift(int maxShift, ulong? seed = null) : base(seed)
    {
        if (maxShift < 0) throw new ValueException($"RandomShift: maxShift must be at least 0, got {maxShift}");
        MaxShift = maxShift;
    }

    /// <summary>The largest shift in pixels along each axis.</summary>
    public int MaxShift { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        int dx = Generator.NextInt(2 * MaxShift + 1) - MaxShift;
        int dy = Generator.NextInt(2 * MaxShift + 1) - MaxShift;
        ShiftChannels(image, channels, height, width, scratch, dx, dy);
    }

    internal static void ShiftChannels(Span<float> image, int channels, int height, int width, Span<float> scratch, int dx, int dy)
    {
        if (dx == 0 && dy == 0) return;
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++)
        {
            var p = image.Slice(ch * plane, plane);
            p.CopyTo(scratch);
            ImageTransforms.Shift(scratch, p, height, width, dx, dy);
        }
    }
}
