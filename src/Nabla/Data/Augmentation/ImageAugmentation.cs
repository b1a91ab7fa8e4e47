using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// The base of the per-image random augmentations: walks a batch [N, C, H, W] image by image, drawing each
/// image's parameters from <see cref="Generator"/>. An instance is not thread-safe (it keeps a scratch buffer);
/// a <see cref="DataLoader"/> calls it from one task at a time.
/// </summary>
public abstract class ImageAugmentation : IAugmentation
{
    private float[] _scratch = [];

    /// <summary>Creates the augmentation with its own generator: seeded by <paramref name="seed"/>, or spawned from <see cref="Generator.Default"/> when null.</summary>
    protected ImageAugmentation(ulong? seed) => Generator = seed is ulong s ? new Generator(s) : Generator.Default.Spawn();

    /// <summary>The augmentation's own random generator.</summary>
    public Generator Generator { get; }

    /// <summary>The state: the generator's (<c>generator.words</c>).</summary>
    public StateDict StateDict() => new StateDict().Add("generator", Generator.StateDict());

    /// <summary>Restores a state from <see cref="StateDict"/>.</summary>
    public void LoadStateDict(StateDict state) => Generator.LoadStateDict(state.Sub("generator"));

    /// <inheritdoc/>
    public void Apply(Tensor images)
    {
        var (n, c, h, w) = ImageTransforms.Dims(images, GetType().Name);
        int plane = h * w;
        if (_scratch.Length < plane) _scratch = new float[plane];
        var data = images.AsSpan<float>();
        for (int i = 0; i < n; i++)
            TransformImage(data.Slice(i * c * plane, c * plane), c, h, w, _scratch.AsSpan(0, plane));
    }

    /// <summary>
    /// Transforms one image in place: <paramref name="image"/> holds its <paramref name="channels"/> planes of
    /// <paramref name="height"/>×<paramref name="width"/>; <paramref name="scratch"/> is a free plane-sized buffer.
    /// Draw the image's random parameters once, before the channel loop, so all channels move together.
    /// </summary>
    protected abstract void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch);
}
