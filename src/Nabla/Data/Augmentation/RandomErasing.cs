using Nabla.Errors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Random erasing (Zhong et al., 2017): with probability <see cref="P"/>, fills one rectangle of the image, in every
/// channel, with <see cref="Value"/>. The rectangle's area is a fraction of the image drawn uniformly from
/// [<see cref="MinArea"/>, <see cref="MaxArea"/>] and its aspect ratio (height / width) is drawn log-uniformly from
/// [<see cref="MinRatio"/>, <see cref="MaxRatio"/>]; its sides are height = round(√(area·ratio)) and
/// width = round(√(area / ratio)), and its corner is uniform over the places where it fits. A draw that does not fit is
/// drawn again, up to 10 times; after that the image is left as it is. The network learns to recognize an object from
/// its parts, which helps most where a class differs from another in a detail (shirt against T-shirt).
/// </summary>
public sealed class RandomErasing : ImageAugmentation
{
    private const int Attempts = 10;

    /// <summary>Creates the augmentation.</summary>
    /// <param name="p">The probability of erasing a rectangle of an image, in [0, 1].</param>
    /// <param name="minArea">The smallest area of the rectangle, as a fraction of the image, in (0, <paramref name="maxArea"/>].</param>
    /// <param name="maxArea">The largest area of the rectangle, as a fraction of the image, at most 1.</param>
    /// <param name="minRatio">The smallest aspect ratio (height / width), positive.</param>
    /// <param name="maxRatio">The largest aspect ratio, at least <paramref name="minRatio"/>.</param>
    /// <param name="value">The value written into the rectangle (0: black on images scaled to [0, 1]).</param>
    /// <param name="seed">Seed of its generator; null (default) spawns one from <see cref="Tensors.Generator.Default"/>.</param>
    public RandomErasing(double p = 0.5, double minArea = 0.02, double maxArea = 1.0 / 3, double minRatio = 0.3, double maxRatio = 1 / 0.3,
        float value = 0, ulong? seed = null) : base(seed)
    {
        if (!(p >= 0 && p <= 1)) throw new ValueException($"RandomErasing: p must be in [0, 1], got {p}");
        if (!(minArea > 0 && minArea <= maxArea && maxArea <= 1))
            throw new ValueException($"RandomErasing: the area fractions must satisfy 0 < minArea <= maxArea <= 1, got [{minArea}, {maxArea}]");
        if (!(minRatio > 0 && minRatio <= maxRatio && double.IsFinite(maxRatio)))
            throw new ValueException($"RandomErasing: the aspect ratios must satisfy 0 < minRatio <= maxRatio, got [{minRatio}, {maxRatio}]");
        if (!float.IsFinite(value)) throw new ValueException($"RandomErasing: value must be finite, got {value}");
        (P, MinArea, MaxArea, MinRatio, MaxRatio, Value) = (p, minArea, maxArea, minRatio, maxRatio, value);
    }

    /// <summary>The probability of erasing a rectangle of an image.</summary>
    public double P { get; }

    /// <summary>The smallest area of the rectangle, as a fraction of the image.</summary>
    public double MinArea { get; }

    /// <summary>The largest area of the rectangle, as a fraction of the image.</summary>
    public double MaxArea { get; }

    /// <summary>The smallest aspect ratio (height / width) of the rectangle.</summary>
    public double MinRatio { get; }

    /// <summary>The largest aspect ratio (height / width) of the rectangle.</summary>
    public double MaxRatio { get; }

    /// <summary>The value written into the rectangle.</summary>
    public float Value { get; }

    /// <inheritdoc/>
    protected override void TransformImage(Span<float> image, int channels, int height, int width, Span<float> scratch)
    {
        if (!(Generator.NextDouble() < P)) return;
        if (Draw(height, width) is not var (top, left, h, w)) return;
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++)
            for (int y = top; y < top + h; y++)
                image.Slice(ch * plane + y * width + left, w).Fill(Value);
    }

    /// <summary>Draws a rectangle (top, left, height, width) that fits in the image, or null when 10 draws did not fit.</summary>
    internal (int Top, int Left, int Height, int Width)? Draw(int height, int width)
    {
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double area = height * width * (MinArea + (MaxArea - MinArea) * Generator.NextDouble());
            double ratio = Math.Exp(logMin + (logMax - logMin) * Generator.NextDouble());
            int h = (int)Math.Round(Math.Sqrt(area * ratio)), w = (int)Math.Round(Math.Sqrt(area / ratio));
            if (h < 1 || w < 1 || h >= height || w >= width) continue;
            int top = Generator.NextInt(height - h + 1), left = Generator.NextInt(width - w + 1);
            return (top, left, h, w);
        }
        return null;
    }
}
