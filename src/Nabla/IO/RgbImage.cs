namespace Nabla.IO;

/// <summary>
/// A colour image with red, green and blue intensities in [0, 1], stored planar (channel-first): the whole red plane,
/// then green, then blue, each row-major with row 0 at the top. The layout is that of one example of a [C, H, W]
/// tensor, so <see cref="ToChw"/> is a copy.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates an image; <paramref name="pixels"/> must hold 3·width·height values, planar (R plane, G plane, B plane).</summary>
    public RgbImage(int width, int height, float[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0 || pixels.Length != 3L * width * height)
            throw new Errors.ShapeException($"RgbImage: {pixels.Length} values do not make a {width}x{height} image of 3 planes ({3L * Math.Max(0, width) * Math.Max(0, height)} expected)");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Intensities in [0, 1], planar: index c·W·H + y·W + x for channel c (0 red, 1 green, 2 blue).</summary>
    public float[] Pixels { get; }

    /// <summary>The intensity of channel <paramref name="c"/> (0 red, 1 green, 2 blue) at column x, row y.</summary>
    public float this[int x, int y, int c] => Pixels[(c * Height + y) * Width + x];

    /// <summary>A colour image whose three planes are copies of <paramref name="gray"/> (how a gray image feeds a 3-channel model).</summary>
    public static RgbImage FromGray(GrayImage gray)
    {
        ArgumentNullException.ThrowIfNull(gray);
        int plane = gray.Pixels.Length;
        var p = new float[3 * plane];
        for (int c = 0; c < 3; c++) gray.Pixels.CopyTo(p, c * plane);
        return new RgbImage(gray.Width, gray.Height, p);
    }

    /// <summary>Channel <paramref name="c"/> (0 red, 1 green, 2 blue) as a gray image (a copy).</summary>
    public GrayImage Channel(int c)
    {
        if ((uint)c > 2) throw new Errors.ValueException($"RgbImage.Channel: channel must be 0, 1 or 2, got {c}");
        int plane = Width * Height;
        return new GrayImage(Width, Height, Pixels.AsSpan(c * plane, plane).ToArray());
    }

    /// <summary>The luminance 0.299R + 0.587G + 0.114B of every pixel, the weights <see cref="Png.Decode"/> uses.</summary>
    public GrayImage ToGray()
    {
        int plane = Width * Height;
        var g = new float[plane];
        for (int i = 0; i < plane; i++) g[i] = 0.299f * Pixels[i] + 0.587f * Pixels[plane + i] + 0.114f * Pixels[2 * plane + i];
        return new GrayImage(Width, Height, g);
    }

    /// <summary>A resized copy: each channel resized by <see cref="GrayImage.Resize"/> (bilinear, area-averaged when shrinking by more than 2x).</summary>
    public RgbImage Resize(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new Errors.ValueException($"RgbImage.Resize: target size must be positive, got {width}x{height}");
        int plane = width * height;
        var p = new float[3 * plane];
        for (int c = 0; c < 3; c++) Channel(c).Resize(width, height).Pixels.CopyTo(p, c * plane);
        return new RgbImage(width, height, p);
    }

    /// <summary>The pixels as a new [3, H, W] channel-first float array (the layout of one example for Conv2d).</summary>
    public float[] ToChw() => (float[])Pixels.Clone();
}
