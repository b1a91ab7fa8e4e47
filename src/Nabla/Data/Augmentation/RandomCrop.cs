using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Pads each image with <see cref="Padding"/> zero pixels on every side, then crops a window of the original size
/// at a uniformly random position (the classic CIFAR augmentation). The result equals a shift by whole pixels in
/// [−padding, padding] along each axis, which is how it is computed (no padded copy is made).
/// </summary>
public sealed class RandomCrop : ImageAugmentation
{
    /// <summary>Creates the augmentation.</summary>
    /// <param name="padding">Zero pixels added on each side before cropping (at least 0).</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomCrop(int padding, ulong? seed = null) : base(seed)
    {
        if (padding < 0) throw new ValueException($"RandomCrop: padding must be at least 0, got {padding}");
        Padding = padding;
    }

    /// <summary>Zero pixels added on each side before cropping.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        // The crop's top-left corner in the padded image is (left, top) in [0, 2·padding]; content moves by padding − corner.
        int left = Generator.NextInt(2 * Padding + 1), top = Generator.NextInt(2 * Padding + 1);
        RandomShift.ShiftChannels(image, channels, height, width, scratch, Padding - left, Padding - top);
    }
}
