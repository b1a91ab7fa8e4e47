using Nabla.Errors;
using Nabla.IO;
using Xunit;

namespace Nabla.Tests.IO;

public class ImageCodecTests
{
    [Fact]
    public void GrayRoundTrip()
    {
        var img = new GrayImage(3, 2, [0f, 0.5f, 1f, 0.25f, 0.75f, 0f]);
        var back = Png.Decode(Png.EncodeGray(img));
        Assert.Equal(3, back.Width);
        for (int i = 0; i < 6; i++) Assert.Equal(img.Pixels[i], back.Pixels[i], 2);
        var pgm = Pgm.Decode(Pgm.Encode(img));
        for (int i = 0; i < 6; i++) Assert.Equal(img.Pixels[i], pgm.Pixels[i], 2);
    }

    [Fact]
    public void RgbWithSubUpAveragePaethFiltersDecodesToLuminance()
    {
        // 2x4 RGB; row y uses filter y+1 (Sub, Up, Average, Paeth). Raw pixel values chosen by the test.
        byte[][] rows = [[10, 20, 30, 200, 100, 50], [0, 255, 0, 40, 40, 40], [255, 0, 0, 0, 0, 255], [9, 99, 199, 128, 64, 32]];
        var scan = new List<byte>();
        byte[] prev = new byte[6];
        for (int y = 0; y < 4; y++)
        {
            byte f = (byte)(y + 1);
            scan.Add(f);
            for (int i = 0; i < 6; i++)
            {
                int a = i >= 3 ? rows[y][i - 3] : 0, b = y > 0 ? prev[i] : 0, c = y > 0 && i >= 3 ? prev[i - 3] : 0;
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                int pred = f switch { 1 => a, 2 => b, 3 => (a + b) / 2, _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c };
                scan.Add((byte)(rows[y][i] - pred));
            }
            prev = rows[y];
        }
        var img = Png.Decode(PngBuilder.Build(2, 4, 8, 2, scan.ToArray()));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 2; x++)
            {
                var r = rows[y];
                double expected = (0.299 * r[3 * x] + 0.587 * r[3 * x + 1] + 0.114 * r[3 * x + 2]) / 255;
                Assert.Equal(expected, img[x, y], 4);
            }
    }

    [Fact]
    public void FourBitPaletteImage()
    {
        byte[] plte = [0, 0, 0, 255, 255, 255, 255, 0, 0];
        var img = Png.Decode(PngBuilder.Build(3, 1, 4, 3, [0, 0x12, 0x00], plte));
        Assert.Equal(new[] { 1f, 0.299f, 0f }, img.Pixels.Select(p => MathF.Round(p, 3)));
    }

    [Fact]
    public void MalformedPngsRaiseDataFormatErrors()
    {
        var good = Png.EncodeGray(new GrayImage(4, 4, new float[16]));
        var badCrc = (byte[])good.Clone(); badCrc[20] ^= 1;
        Assert.Contains("CRC", Assert.Throws<DataFormatException>(() => Png.Decode(badCrc)).Message);
        Assert.Throws<DataFormatException>(() => Png.Decode(good.AsSpan(0, good.Length - 20)));
        Assert.Throws<DataFormatException>(() => Png.Decode(new byte[] { 1, 2, 3 }));
        Assert.Contains("interlaced", Assert.Throws<DataFormatException>(() => Png.Decode(PngBuilder.Build(1, 1, 8, 0, [0, 0], interlace: 1))).Message);
        Assert.Contains("limit", Assert.Throws<DataFormatException>(() => Png.Decode(PngBuilder.Build(100000, 100000, 8, 0, [0]))).Message);
        Assert.Throws<DataFormatException>(() => Pgm.Decode("P5\n4 4\n255\n"u8));
        Assert.Throws<DataFormatException>(() => Pgm.Decode("P6\n1 1\n255\nx"u8));
    }

    [Fact]
    public void ResizeAveragesAndInvertFlips()
    {
        var img = new GrayImage(4, 4, [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
        var small = img.Resize(2, 2);
        Assert.Equal(new[] { 1f, 0f, 0f, 1f }, small.Pixels);
        Assert.Equal(new[] { 0f, 1f, 1f, 0f }, small.Invert().Pixels);
        Assert.Equal(0.5, img.Mean(), 6);
    }
}
