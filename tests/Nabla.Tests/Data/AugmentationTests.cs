using Nabla.Data.Augmentation;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

public class AugmentationTests
{
    /// <summary>A batch of n single-channel h×w images, black except pixel (row y, col x) = 1.</summary>
    private static Tensor Dot(int n, int h, int w, int y, int x)
    {
        var t = Tensor.Zeros([n, 1, h, w]);
        for (int i = 0; i < n; i++) t[i, 0, y, x] = 1;
        return t;
    }

    private static Tensor Random(int seed) => Tensor.Uniform([6, 2, 7, 9], 0, 1, new Generator((ulong)seed));

    [Fact]
    public void FlipTwiceIsIdentityAndFlipMirrorsColumns()
    {
        var x = Random(1);
        var y = x.Clone();
        var flip = new RandomHorizontalFlip(p: 1);
        flip.Apply(y);
        Assert.Equal(x[3, 1, 2, 0], y[3, 1, 2, 8]);
        Assert.Equal(x[0, 0, 6, 3], y[0, 0, 6, 5]);
        flip.Apply(y);
        Assert.Equal(x.ToArray(), y.ToArray());
        // p = 0 never flips; p = 0.5 flips about half of many images.
        var z = x.Clone();
        new RandomHorizontalFlip(p: 0).Apply(z);
        Assert.Equal(x.ToArray(), z.ToArray());
        var many = Dot(400, 3, 3, 1, 0);
        new RandomHorizontalFlip(0.5, seed: 2).Apply(many);
        int flipped = Enumerable.Range(0, 400).Count(i => many[i, 0, 1, 2] == 1);
        Assert.InRange(flipped, 160, 240);
    }

    [Fact]
    public void ShiftMovesAKnownPixel()
    {
        var src = Dot(1, 5, 6, 1, 2).AsSpan<float>().ToArray();
        var dst = new float[30];
        ImageTransforms.Shift(src, dst, 5, 6, dx: 3, dy: 2);       // 3 right, 2 down: (1,2) → (3,5)
        Assert.Equal(1f, dst[3 * 6 + 5]);
        Assert.Equal(1f, dst.Sum());
        ImageTransforms.Shift(src, dst, 5, 6, dx: 4, dy: 0);       // pushed out of the image
        Assert.Equal(0f, dst.Sum());

        // Random shifts keep the dot inside ±2 of where it was, with varying offsets.
        var batch = Dot(200, 9, 9, 4, 4);
        new RandomShift(2, seed: 3).Apply(batch);
        var offsets = new HashSet<(int, int)>();
        for (int i = 0; i < 200; i++)
        {
            var img = batch.AsSpan<float>().Slice(i * 81, 81);
            int p = img.IndexOf(1f);
            Assert.Equal(1f, img.ToArray().Sum());
            offsets.Add((p / 9 - 4, p % 9 - 4));
        }
        Assert.All(offsets, o => { Assert.InRange(o.Item1, -2, 2); Assert.InRange(o.Item2, -2, 2); });
        Assert.Equal(25, offsets.Count);

        // Crop with padding: same content moved by at most the padding.
        var crop = Dot(100, 9, 9, 4, 4);
        new RandomCrop(1, seed: 4).Apply(crop);
        for (int i = 0; i < 100; i++)
        {
            int p = crop.AsSpan<float>().Slice(i * 81, 81).IndexOf(1f);
            Assert.InRange(p / 9, 3, 5);
            Assert.InRange(p % 9, 3, 5);
        }
    }

    [Fact]
    public void RotationByZeroIsIdentityAndByNinetyMovesAKnownPixel()
    {
        var x = Random(5).AsSpan<float>()[..63].ToArray();   // one 7x9 plane
        var y = new float[63];
        ImageTransforms.Affine(x, y, 7, 9, 0);
        Assert.Equal(x, y);
        // 5x5, center (2,2): the pixel right of center (row 2, col 4) turns counter-clockwise to the top (row 0, col 2).
        var dot = Dot(1, 5, 5, 2, 4).AsSpan<float>().ToArray();
        var r = new float[25];
        ImageTransforms.Affine(dot, r, 5, 5, 90);
        Assert.Equal(1f, r[0 * 5 + 2]);
        Assert.Equal(1f, r.Sum(), 6);
        ImageTransforms.Affine(dot, r, 5, 5, -90);               // clockwise: to the bottom
        Assert.Equal(1f, r[4 * 5 + 2]);
        // 45°: output pixel (row 1, col 3) maps back to source (x = 2 + √2, y = 2), between columns 3 (0) and 4 (1),
        // so bilinear sampling gives √2 − 1 there; the maximum stays at that pixel.
        ImageTransforms.Affine(dot, r, 5, 5, 45);
        Assert.Equal(Math.Sqrt(2) - 1, r[1 * 5 + 3], 6);
        Assert.Equal(1 * 5 + 3, Array.IndexOf(r, r.Max()));
        // A random rotation of at most 0° is the identity; the augmentation keeps the batch shape.
        var batch = Random(6);
        var copy = batch.Clone();
        new RandomRotation(0, seed: 1).Apply(batch);
        Assert.Equal(copy.ToArray(), batch.ToArray());
    }

    [Fact]
    public void ScalingAboutTheCenterMovesPixelsOutward()
    {
        // 5x5, center (2,2): zoom 2 maps source (row 2, col 3) to (row 2, col 4).
        var dot = Dot(1, 5, 5, 2, 3).AsSpan<float>().ToArray();
        var r = new float[25];
        ImageTransforms.Affine(dot, r, 5, 5, 0, scale: 2);
        Assert.Equal(1f, r[2 * 5 + 4]);
        var same = Random(7);
        var copy = same.Clone();
        new RandomScale(1, 1, seed: 2).Apply(same);
        Assert.Equal(copy.ToArray(), same.ToArray());
    }

    [Fact]
    public void NoiseHasTheRequestedStd()
    {
        var x = Tensor.Full([20, 1, 50, 50], 0.5);
        new GaussianNoise(0.2, seed: 9).Apply(x);
        var d = x.ToDoubleArray();
        double m = d.Average(), sd = Math.Sqrt(d.Sum(v => (v - m) * (v - m)) / d.Length);
        Assert.Equal(0.5, m, 2);
        Assert.Equal(0.2, sd, 2);
    }

    [Fact]
    public void SameSeedSameOutput()
    {
        IAugmentation Make(ulong s) => new AugmentationPipeline(new RandomShift(1, s), new RandomRotation(15, s + 1),
            new RandomScale(0.9, 1.1, s + 2), new RandomHorizontalFlip(0.5, s + 3), new RandomCrop(2, s + 4), new GaussianNoise(0.05, s + 5));
        var a = Random(8); var b = Random(8); var c = Random(8);
        Make(10).Apply(a);
        Make(10).Apply(b);
        Make(11).Apply(c);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        Assert.NotEqual(Random(8).ToArray(), a.ToArray());
    }

    [Fact]
    public void ErasingFillsOneRectangleOfTheDrawnSizeInEveryChannel()
    {
        const int n = 500, h = 28, w = 28;
        var x = Tensor.Ones([n, 2, h, w]);
        new RandomErasing(p: 1, value: -2, seed: 5).Apply(x);
        int erasedImages = 0;
        double fractions = 0;
        for (int i = 0; i < n; i++)
        {
            int top = h, left = w, bottom = -1, right = -1, count = 0;
            for (int y = 0; y < h; y++)
                for (int c = 0; c < w; c++)
                {
                    double v = x[i, 0, y, c];
                    Assert.Equal(v, x[i, 1, y, c]);              // both channels erased alike
                    Assert.True(v == 1 || v == -2, $"image {i}: value {v}");
                    if (v != -2) continue;
                    count++;
                    (top, left, bottom, right) = (Math.Min(top, y), Math.Min(left, c), Math.Max(bottom, y), Math.Max(right, c));
                }
            if (count == 0) continue;
            erasedImages++;
            int rh = bottom - top + 1, rw = right - left + 1;
            Assert.Equal(rh * rw, count);                          // one solid rectangle
            Assert.True(rh < h && rw < w);
            // round(√(area·r)) · round(√(area/r)) stays near the drawn area in [0.02, 1/3] of the image.
            double fraction = (double)count / (h * w);
            Assert.InRange(fraction, 0.01, 0.40);
            Assert.InRange((double)rh / rw, 0.3 * 0.6, 3.4 / 0.6);
            fractions += fraction;
        }
        // Most draws fit (a failed draw is retried up to 10 times); the mean area is near the middle of [0.02, 1/3].
        Assert.True(erasedImages > 480, $"{erasedImages} of {n} images erased");
        Assert.InRange(fractions / erasedImages, 0.13, 0.21);
    }

    [Fact]
    public void ErasingHappensWithProbabilityPAndIsSeeded()
    {
        var ones = Tensor.Ones([400, 1, 12, 12]);
        var none = ones.Clone();
        new RandomErasing(p: 0, seed: 1).Apply(none);
        Assert.Equal(ones.ToArray(), none.ToArray());
        var half = ones.Clone();
        new RandomErasing(p: 0.5, seed: 2).Apply(half);
        int erased = Enumerable.Range(0, 400).Count(i => Enumerable.Range(0, 144).Any(k => half[i, 0, k / 12, k % 12] == 0));
        Assert.InRange(erased, 160, 240);
        var again = ones.Clone();
        new RandomErasing(p: 0.5, seed: 2).Apply(again);
        Assert.Equal(half.ToArray(), again.ToArray());
    }

    [Theory]
    [InlineData(1.5, 0.02, 0.33, 0.3, 3.3, "p must be in [0, 1], got 1.5")]
    [InlineData(0.5, 0.0, 0.33, 0.3, 3.3, "0 < minArea <= maxArea <= 1, got [0, 0.33]")]
    [InlineData(0.5, 0.4, 0.33, 0.3, 3.3, "0 < minArea <= maxArea <= 1, got [0.4, 0.33]")]
    [InlineData(0.5, 0.02, 0.33, 3.3, 0.3, "0 < minRatio <= maxRatio, got [3.3, 0.3]")]
    public void ErasingRefusesBadSettingsByName(double p, double minArea, double maxArea, double minRatio, double maxRatio, string message)
    {
        var e = Assert.Throws<Nabla.Errors.ValueException>(() => new RandomErasing(p, minArea, maxArea, minRatio, maxRatio));
        Assert.Contains("RandomErasing", e.Message);
        Assert.Contains(message, e.Message);
    }
}
