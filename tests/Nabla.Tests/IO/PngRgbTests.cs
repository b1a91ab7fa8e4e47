using Nabla.Errors;
using Nabla.IO;
using Xunit;

namespace Nabla.Tests.IO;

/// <summary>The colour path of the PNG codec (<see cref="Png.DecodeRgb"/>, <see cref="Png.EncodeRgb"/>) and <see cref="RgbImage"/>.</summary>
public class PngRgbTests
{
    [Fact]
    public void PngEncodeRgbThenDecodeRgbIsExactForByteValues()
    {
        // 3x2, planar R, G, B planes of byte values / 255.
        byte[] r = [0, 255, 12, 200, 7, 128], g = [1, 254, 99, 0, 77, 64], b = [255, 0, 33, 100, 222, 32];
        var img = new RgbImage(3, 2, [.. r.Concat(g).Concat(b).Select(v => v / 255f)]);
        var png = Png.EncodeRgb(img);
        Assert.Equal(8, png[24]); // IHDR bit depth
        Assert.Equal(2, png[25]); // IHDR colour type: RGB
        var back = Png.DecodeRgb(png);
        Assert.Equal((3, 2), (back.Width, back.Height));
        Assert.Equal(img.Pixels, back.Pixels);
        Assert.Equal(200 / 255f, back[0, 1, 0]);
        Assert.Equal(0f, back[0, 1, 1]);
        Assert.Equal(100 / 255f, back[0, 1, 2]);
    }

    [Fact]
    public void PngRgbaIsCompositedOverBlackInBothPaths()
    {
        // 3x1 RGBA 8-bit, filter 0: half-transparent, opaque, fully transparent white.
        byte[] scan = [0, 200, 100, 50, 128, 10, 20, 30, 255, 255, 255, 255, 0];
        var png = PngBuilder.Build(3, 1, 8, 6, scan);
        var rgb = Png.DecodeRgb(png);
        float a = 128 / 255f;
        double[] expected = [200 / 255.0 * a, 10 / 255.0, 0, 100 / 255.0 * a, 20 / 255.0, 0, 50 / 255.0 * a, 30 / 255.0, 0];
        TestUtil.AssertClose(expected, rgb.Pixels.Select(p => (double)p).ToArray(), 1e-6);
        var gray = Png.Decode(png);
        TestUtil.AssertClose(gray.Pixels.Select(p => (double)p).ToArray(), rgb.ToGray().Pixels.Select(p => (double)p).ToArray(), 1e-6);
        Assert.Equal((0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255 * a, gray.Pixels[0], 5);
    }

    [Fact]
    public void PngSixteenBitRgbPaletteWithTransparencyAndGrayAlphaDecodeToKnownValues()
    {
        // 16-bit RGB, one pixel 0x1234, 0xABCD, 0xFFFF.
        var deep = Png.DecodeRgb(PngBuilder.Build(1, 1, 16, 2, [0, 0x12, 0x34, 0xAB, 0xCD, 0xFF, 0xFF]));
        Assert.Equal(new[] { 0x1234 / 65535f, 0xABCD / 65535f, 1f }, deep.Pixels);

        // 2-bit palette, indices 0, 1, 2 (0b00_01_10_00); tRNS gives entry 1 alpha 128, entry 2 none (opaque).
        byte[] plte = [255, 0, 0, 0, 128, 255, 10, 20, 30];
        var pal = Png.DecodeRgb(PngBuilder.Build(3, 1, 2, 3, [0, 0x18], plte, trns: [255, 128]));
        float a = 128 / 255f;
        TestUtil.AssertClose([1, 0, 10 / 255.0, 0, 128 / 255.0 * a, 20 / 255.0, 0, 1 * a, 30 / 255.0],
            pal.Pixels.Select(p => (double)p).ToArray(), 1e-6);

        // Gray + alpha: three equal planes of gray·alpha; 1-bit gray: 0 or 1 in every plane.
        var ga = Png.DecodeRgb(PngBuilder.Build(1, 1, 8, 4, [0, 200, 51]));
        Assert.All(ga.Pixels, p => Assert.Equal(200 / 255.0 * 51 / 255.0, p, 6));
        var bits = Png.DecodeRgb(PngBuilder.Build(4, 1, 1, 0, [0, 0b1011_0000]));
        Assert.Equal(new float[] { 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1 }, bits.Pixels);
    }

    [Fact]
    public void PngLoadRgbReadsAFileAndNamesItInErrors()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-png-");
        try
        {
            var path = Path.Combine(dir.FullName, "c.png");
            File.WriteAllBytes(path, Png.EncodeRgb(new RgbImage(1, 1, [1, 0.2f, 0])));
            Assert.Equal(new[] { 1f, 51 / 255f, 0f }, Png.LoadRgb(path).Pixels);
            var bad = Path.Combine(dir.FullName, "bad.png");
            File.WriteAllBytes(bad, [137, 80, 78, 71, 1, 2]);
            var e = Assert.Throws<DataFormatException>(() => Png.LoadRgb(bad));
            Assert.StartsWith("bad.png: not a PNG file", e.Message);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void RgbImageConvertsToGrayChwAndFromGray()
    {
        // 2x2: red, green / blue, white.
        var img = new RgbImage(2, 2, [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
        Assert.Equal(new[] { 0.299f, 0.587f, 0.114f, 1f }, img.ToGray().Pixels.Select(p => MathF.Round(p, 6)));
        Assert.Equal(img.Pixels, img.ToChw());
        Assert.NotSame(img.Pixels, img.ToChw());
        Assert.Equal(new float[] { 0, 1, 0, 1 }, img.Channel(1).Pixels);
        Assert.Equal(1f, img[1, 1, 2]);
        Assert.Equal(0f, img[1, 0, 2]);
        var gray = new GrayImage(2, 1, [0.25f, 0.75f]);
        Assert.Equal(new[] { 0.25f, 0.75f, 0.25f, 0.75f, 0.25f, 0.75f }, RgbImage.FromGray(gray).Pixels);
        Assert.Throws<ShapeException>(() => new RgbImage(2, 2, new float[4]));
        Assert.Throws<ValueException>(() => img.Channel(3));
        Assert.Throws<ValueException>(() => img.Resize(0, 2));
    }

    [Fact]
    public void RgbImageResizeKeepsAConstantImageConstantAndAveragesPerChannel()
    {
        var constant = new RgbImage(7, 5, [.. Enumerable.Repeat(0.2f, 35), .. Enumerable.Repeat(0.4f, 35), .. Enumerable.Repeat(0.6f, 35)]);
        foreach (var (w, h) in new[] { (3, 2), (16, 11), (1, 1) })
        {
            var r = constant.Resize(w, h);
            Assert.Equal((w, h), (r.Width, r.Height));
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) Assert.Equal(0.2 * (c + 1), r[x, y, c], 6);
        }
        // 4x4 checkerboard of 2x2 blocks in red only; halving averages each block; green and blue stay 0.
        float[] red = [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1];
        var small = new RgbImage(4, 4, [.. red, .. new float[32]]).Resize(2, 2);
        Assert.Equal(new float[] { 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, small.Pixels);
    }
}
