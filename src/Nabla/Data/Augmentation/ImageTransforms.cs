using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// Deterministic geometric transformations of one image plane (H×W, row-major, row 0 at the top), the building
/// blocks of the random augmentations. Pixels that come from outside the source image are 0.
/// </summary>
/// <remarks>
/// Geometry: the image center is ((W−1)/2, (H−1)/2) in (x = column, y = row) coordinates. Every output pixel is
/// mapped back to a source position and sampled bilinearly (exact copies for integer shifts and flips).
/// </remarks>
public static class ImageTransforms
{
    /// <summary>Mirrors the plane left-right into <paramref name="dst"/> (may be the same span as <paramref name="src"/>).</summary>
    public static void FlipHorizontal(Span<float> src, Span<float> dst, int height, int width)
    {
        Check(src, dst, height, width, "FlipHorizontal");
        for (int y = 0; y < height; y++)
        {
            var s = src.Slice(y * width, width);
            var d = dst.Slice(y * width, width);
            for (int x = 0, r = width - 1; x <= r; x++, r--)
                (d[x], d[r]) = (s[r], s[x]);
        }
    }

    /// <summary>
    /// Moves the content <paramref name="dx"/> pixels right and <paramref name="dy"/> pixels down:
    /// dst[y, x] = src[y − dy, x − dx], 0 where that falls outside. <paramref name="src"/> and <paramref name="dst"/> must not overlap.
    /// </summary>
    public static void Shift(ReadOnlySpan<float> src, Span<float> dst, int height, int width, int dx, int dy)
    {
        if (src.Length < height * width || dst.Length < height * width)
            throw new ShapeException($"Shift: planes of {height}x{width} need {height * width} elements, got {src.Length} and {dst.Length}");
        dst[..(height * width)].Clear();
        int x0 = Math.Max(0, dx), x1 = Math.Min(width, width + dx);
        if (x1 <= x0) return;
        for (int y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
            src.Slice((y - dy) * width + x0 - dx, x1 - x0).CopyTo(dst.Slice(y * width + x0));
    }

    /// <summary>
    /// Rotates the content by <paramref name="degrees"/> counter-clockwise as displayed (row 0 at the top) about the
    /// center, scales it by <paramref name="scale"/> about the center (above 1 enlarges) and then moves it by
    /// (<paramref name="dx"/>, <paramref name="dy"/>) pixels (right, down), sampling bilinearly.
    /// <paramref name="src"/> and <paramref name="dst"/> must not overlap.
    /// </summary>
    public static void Affine(ReadOnlySpan<float> src, Span<float> dst, int height, int width,
        double degrees, double scale = 1, double dx = 0, double dy = 0)
    {
        if (src.Length < height * width || dst.Length < height * width)
            throw new ShapeException($"Affine: planes of {height}x{width} need {height * width} elements, got {src.Length} and {dst.Length}");
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ValueException($"Affine: scale must be positive and finite, got {scale}");
        double t = degrees * Math.PI / 180;
        double c = Math.Cos(t), s = Math.Sin(t);
        // Exact values at multiples of 90° so that quarter turns are exact permutations.
        if (degrees % 90 == 0) { c = Math.Round(c); s = Math.Round(s); }
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        // Forward map of a point p about the center: p' = R·(p − ctr)·scale + ctr + shift, where
        // R = [[c, s], [−s, c]] in (x, y-down) coordinates. Inverse: p = Rᵀ·(p' − ctr − shift)/scale + ctr.
        double inv = 1 / scale;
        for (int y = 0; y < height; y++)
        {
            double v = y - cy - dy;
            for (int x = 0; x < width; x++)
            {
                double u = x - cx - dx;
                double sx = (c * u - s * v) * inv + cx;
                double sy = (s * u + c * v) * inv + cy;
                dst[y * width + x] = Bilinear(src, height, width, sx, sy);
            }
        }
    }

    private static float Bilinear(ReadOnlySpan<float> src, int h, int w, double x, double y)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y);
        int x0 = (int)fx, y0 = (int)fy;
        if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return 0f;
        double ax = x - fx, ay = y - fy;
        // Snap tiny residues so exact grid positions copy exactly.
        if (ax < 1e-9) ax = 0; else if (ax > 1 - 1e-9) { ax = 0; x0++; }
        if (ay < 1e-9) ay = 0; else if (ay > 1 - 1e-9) { ay = 0; y0++; }
        double v00 = At(src, h, w, x0, y0), v10 = At(src, h, w, x0 + 1, y0);
        double v01 = At(src, h, w, x0, y0 + 1), v11 = At(src, h, w, x0 + 1, y0 + 1);
        double top = ax == 0 ? v00 : v00 + ax * (v10 - v00);
        double bottom = ax == 0 ? v01 : v01 + ax * (v11 - v01);
        return (float)(ay == 0 ? top : top + ay * (bottom - top));
    }

    private static double At(ReadOnlySpan<float> src, int h, int w, int x, int y)
        => (uint)x < (uint)w && (uint)y < (uint)h ? src[y * w + x] : 0.0;

    private static void Check(Span<float> src, Span<float> dst, int height, int width, string op)
    {
        if (height <= 0 || width <= 0) throw new ShapeException($"{op}: plane size {height}x{width} must be positive");
        if (src.Length < height * width || dst.Length < height * width)
            throw new ShapeException($"{op}: planes of {height}x{width} need {height * width} elements, got {src.Length} and {dst.Length}");
    }

    /// <summary>Checks that <paramref name="images"/> is a float32 [N, C, H, W] batch and returns its dimensions.</summary>
    internal static (int N, int C, int H, int W) Dims(Tensor images, string op)
    {
        if (images.Rank != 4) throw new ShapeException($"{op}: images [N,C,H,W] expected, got shape {images.Shape}");
        if (images.DType != DType.Float32) throw new ValueException($"{op}: float32 images expected, got {images.DType}");
        return (images.Shape[0], images.Shape[1], images.Shape[2], images.Shape[3]);
    }
}
