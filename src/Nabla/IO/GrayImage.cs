namespace Nabla.IO;

/// <summary>A grayscale image with pixel intensities in [0, 1], row-major (row 0 at the top).</summary>
public sealed class GrayImage
{
    /// <summary>Creates an image; <paramref name="pixels"/> must hold width·height values.</summary>
    public GrayImage(int width, int height, float[] pixels)
    {
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height)
            throw new Errors.ShapeException($"GrayImage: {pixels.Length} pixels do not make a {width}x{height} image");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Intensities in [0, 1], row-major.</summary>
    public float[] Pixels { get; }

    /// <summary>The intensity at column x, row y.</summary>
    public float this[int x, int y] => Pixels[y * Width + x];

    /// <summary>A resized copy by bilinear interpolation (area-averaged when shrinking by more than 2x).</summary>
    public GrayImage Resize(int width, int height)
    {
        if (width == Width && height == Height) return new GrayImage(width, height, (float[])Pixels.Clone());
        var src = this;
        // Halve first while the image is more than twice the target: bilinear alone would alias.
        while (src.Width >= 2 * width && src.Height >= 2 * height) src = src.Halve();
        var dst = new float[width * height];
        double sx = (double)src.Width / width, sy = (double)src.Height / height;
        for (int y = 0; y < height; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, src.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, src.Height - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, src.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, src.Width - 1);
                double wx = fx - x0;
                double top = src[x0, y0] * (1 - wx) + src[x1, y0] * wx;
                double bottom = src[x0, y1] * (1 - wx) + src[x1, y1] * wx;
                dst[y * width + x] = (float)(top * (1 - wy) + bottom * wy);
            }
        }
        return new GrayImage(width, height, dst);
    }

    private GrayImage Halve()
    {
        int w = Width / 2, h = Height / 2;
        var d = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                d[y * w + x] = (this[2 * x, 2 * y] + this[2 * x + 1, 2 * y] + this[2 * x, 2 * y + 1] + this[2 * x + 1, 2 * y + 1]) / 4;
        return new GrayImage(w, h, d);
    }

    /// <summary>1 − intensity for every pixel (dark-on-light drawings become light-on-dark like MNIST).</summary>
    public GrayImage Invert() => new(Width, Height, Pixels.Select(p => 1 - p).ToArray());

    /// <summary>The mean intensity.</summary>
    public double Mean() => Pixels.Average(p => (double)p);
}
