using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.Errors;

namespace Nabla.IO;

/// <summary>
/// A PNG decoder (non-interlaced; grayscale, RGB, palette, with or without alpha; bit depths 1–16) producing
/// a <see cref="GrayImage"/> by luminance 0.299R + 0.587G + 0.114B (<see cref="Decode"/>) or an <see cref="RgbImage"/>
/// (<see cref="DecodeRgb"/>), alpha composited over black in both; and 8-bit grayscale and RGB encoders. Chunk CRCs are
/// verified; every malformed input raises <see cref="DataFormatException"/>.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>The largest image accepted (in pixels), checked before allocating.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Reads a PNG file as gray (see <see cref="Decode"/>).</summary>
    public static GrayImage Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException($"{path}: cannot read ({e.Message})", e); }
        return Decode(bytes, Path.GetFileName(path));
    }

    /// <summary>Decodes PNG bytes to gray; <paramref name="source"/> names the input in error messages.</summary>
    public static GrayImage Decode(ReadOnlySpan<byte> png, string source = "png")
    {
        var d = DecodeRaw(png, source);
        var pixels = new float[d.Width * d.Height];
        for (int y = 0; y < d.Height; y++)
        {
            var row = d.Row(y);
            for (int x = 0; x < d.Width; x++) pixels[y * d.Width + x] = Luminance(row, x, d, source);
        }
        return new GrayImage(d.Width, d.Height, pixels);
    }

    /// <summary>
    /// Reads a PNG file in colour: every colour type and bit depth; gray images give three equal planes, alpha is
    /// composited over black (each channel multiplied by alpha), as <see cref="Load"/> does.
    /// </summary>
    public static RgbImage LoadRgb(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException($"{path}: cannot read ({e.Message})", e); }
        return DecodeRgb(bytes, Path.GetFileName(path));
    }

    /// <summary>
    /// Decodes PNG bytes in colour (see <see cref="LoadRgb"/>); <paramref name="source"/> names the input in error messages.
    /// <c>DecodeRgb(png).ToGray()</c> equals <see cref="Decode"/> up to float rounding.
    /// </summary>
    public static RgbImage DecodeRgb(ReadOnlySpan<byte> png, string source = "png")
    {
        var d = DecodeRaw(png, source);
        int plane = d.Width * d.Height;
        var pixels = new float[3 * plane];
        Span<float> rgb = stackalloc float[3];
        for (int y = 0; y < d.Height; y++)
        {
            var row = d.Row(y);
            for (int x = 0; x < d.Width; x++)
            {
                Color(row, x, d, source, rgb);
                int i = y * d.Width + x;
                pixels[i] = rgb[0];
                pixels[plane + i] = rgb[1];
                pixels[2 * plane + i] = rgb[2];
            }
        }
        return new RgbImage(d.Width, d.Height, pixels);
    }

    /// <summary>
    /// Whether the PNG holds colour (colour type 2, 3 or 6: RGB, palette, RGBA) rather than gray (0, 4), from its
    /// header alone (the image data is not decoded, so a palette or RGB image whose pixels all happen to be gray still
    /// counts as colour). The width and height are returned too.
    /// </summary>
    internal static (bool Color, int Width, int Height) ReadHeader(ReadOnlySpan<byte> png, string source)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature)) throw new DataFormatException($"{source}: not a PNG file (signature missing)");
        if (png.Length < 8 + 12 + 13 || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new DataFormatException($"{source}: IHDR chunk expected at byte 8");
        var (width, height, colorType, _) = ParseIhdr(png.Slice(16, 13), BinaryPrimitives.ReadUInt32BigEndian(png[8..]), source);
        return (colorType is 2 or 3 or 6, width, height);
    }

    /// <summary>The image after inflating and unfiltering, before any conversion of its samples.</summary>
    private sealed record Raw(int Width, int Height, int ColorType, int BitDepth, int Channels, int Stride, byte[] Bytes, byte[]? Palette, byte[]? PaletteAlpha)
    {
        public ReadOnlySpan<byte> Row(int y) => Bytes.AsSpan(y * (Stride + 1) + 1, Stride);
    }

    private static (int Width, int Height, int ColorType, int BitDepth) ParseIhdr(ReadOnlySpan<byte> data, uint len, string source)
    {
        if (len != 13) throw new DataFormatException($"{source}: IHDR has {len} bytes, expected 13");
        int width = BinaryPrimitives.ReadInt32BigEndian(data);
        int height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        int bitDepth = data[8], colorType = data[9];
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw new DataFormatException($"{source}: image size {width}x{height} is invalid or above the limit of {MaxPixels} pixels");
        if (data[10] != 0 || data[11] != 0) throw new DataFormatException($"{source}: unknown compression or filter method");
        if (data[12] != 0) throw new DataFormatException($"{source}: interlaced (Adam7) PNGs are not supported; save it non-interlaced");
        bool ok = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!ok) throw new DataFormatException($"{source}: color type {colorType} with bit depth {bitDepth} is not valid PNG");
        return (width, height, colorType, bitDepth);
    }

    /// <summary>Checks the chunks and CRCs, inflates the image data and undoes the row filters.</summary>
    private static Raw DecodeRaw(ReadOnlySpan<byte> png, string source)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature)) throw new DataFormatException($"{source}: not a PNG file (signature missing)");
        int pos = 8, width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null, paletteAlpha = null;
        var idat = new MemoryStream();
        bool end = false;
        while (!end)
        {
            if (pos + 12 > png.Length) throw new DataFormatException($"{source}: truncated at byte {pos} (chunk header expected)");
            uint len = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (len > int.MaxValue || pos + 12 + (long)len > png.Length) throw new DataFormatException($"{source}: chunk at byte {pos} declares {len} bytes, more than the file holds");
            var type = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, (int)len);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)len)..]);
            if (Crc32.Compute(type, data) != crc) throw new DataFormatException($"{source}: CRC mismatch in chunk '{Encoding.ASCII.GetString(type)}' at byte {pos}");
            string name = Encoding.ASCII.GetString(type);
            switch (name)
            {
                case "IHDR": (width, height, colorType, bitDepth) = ParseIhdr(data, len, source); break;
                case "PLTE": palette = data.ToArray(); break;
                case "tRNS": paletteAlpha = data.ToArray(); break;
                case "IDAT": idat.Write(data); break;
                case "IEND": end = true; break;
            }
            pos += 12 + (int)len;
        }
        if (colorType < 0) throw new DataFormatException($"{source}: no IHDR chunk");
        if (colorType == 3 && palette is null) throw new DataFormatException($"{source}: palette image without a PLTE chunk");
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = channels * bitDepth;
        int stride = (int)(((long)width * bitsPerPixel + 7) / 8), bpp = Math.Max(1, bitsPerPixel / 8);
        long rawSize = (long)(stride + 1) * height;
        // Deflate cannot compress better than about 1032:1, so a header declaring more pixels than the data could
        // hold is refused before allocating.
        if (rawSize > idat.Length * 1032 + 4096)
            throw new DataFormatException($"{source}: {width}x{height} pixels need {rawSize} bytes, more than {idat.Length} compressed bytes can hold");
        var raw = new byte[rawSize];
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read < raw.Length) throw new DataFormatException($"{source}: image data holds {read} bytes, expected {raw.Length}");
        }
        catch (InvalidDataException e) { throw new DataFormatException($"{source}: corrupt compressed image data (the zlib stream of the IDAT chunks is damaged)", e); }
        Unfilter(raw, stride, height, bpp, source);
        // tRNS is honoured for palette images only (as alpha per palette entry); for other colour types it is ignored.
        return new Raw(width, height, colorType, bitDepth, channels, stride, raw, palette, colorType == 3 ? paletteAlpha : null);
    }

    private static void Unfilter(byte[] raw, int stride, int height, int bpp, string source)
    {
        for (int y = 0; y < height; y++)
        {
            int o = y * (stride + 1);
            byte filter = raw[o];
            var cur = raw.AsSpan(o + 1, stride);
            var prev = y > 0 ? raw.AsSpan(o - stride, stride) : Span<byte>.Empty;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0, b = y > 0 ? prev[i] : 0, c = y > 0 && i >= bpp ? prev[i - bpp] : 0;
                cur[i] = filter switch
                {
                    0 => cur[i],
                    1 => (byte)(cur[i] + a),
                    2 => (byte)(cur[i] + b),
                    3 => (byte)(cur[i] + ((a + b) >> 1)),
                    4 => (byte)(cur[i] + Paeth(a, b, c)),
                    _ => throw new DataFormatException($"{source}: unknown filter type {filter} on row {y}"),
                };
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static float Luminance(ReadOnlySpan<byte> row, int x, Raw d, string source)
    {
        switch (d.ColorType)
        {
            case 0: return Sample(row, x, 0, d);
            case 4: return Sample(row, x, 0, d) * Sample(row, x, 1, d);
            case 2: return 0.299f * Sample(row, x, 0, d) + 0.587f * Sample(row, x, 1, d) + 0.114f * Sample(row, x, 2, d);
            case 6: return (0.299f * Sample(row, x, 0, d) + 0.587f * Sample(row, x, 1, d) + 0.114f * Sample(row, x, 2, d)) * Sample(row, x, 3, d);
            default:
                int idx = PaletteIndex(row, x, d, source);
                float alpha = PaletteAlpha(d, idx);
                return (0.299f * d.Palette![idx * 3] + 0.587f * d.Palette[idx * 3 + 1] + 0.114f * d.Palette[idx * 3 + 2]) / 255f * alpha;
        }
    }

    /// <summary>The pixel's red, green and blue in [0, 1], alpha composited over black.</summary>
    private static void Color(ReadOnlySpan<byte> row, int x, Raw d, string source, Span<float> rgb)
    {
        switch (d.ColorType)
        {
            case 0:
                rgb[0] = rgb[1] = rgb[2] = Sample(row, x, 0, d);
                break;
            case 4:
                rgb[0] = rgb[1] = rgb[2] = Sample(row, x, 0, d) * Sample(row, x, 1, d);
                break;
            case 2:
                for (int c = 0; c < 3; c++) rgb[c] = Sample(row, x, c, d);
                break;
            case 6:
                float a = Sample(row, x, 3, d);
                for (int c = 0; c < 3; c++) rgb[c] = Sample(row, x, c, d) * a;
                break;
            default:
                int idx = PaletteIndex(row, x, d, source);
                float alpha = PaletteAlpha(d, idx);
                for (int c = 0; c < 3; c++) rgb[c] = d.Palette![idx * 3 + c] / 255f * alpha;
                break;
        }
    }

    private static int PaletteIndex(ReadOnlySpan<byte> row, int x, Raw d, string source)
    {
        int idx = d.BitDepth == 8 ? row[x] : (int)Sample(row, x, 0, d);
        if (idx * 3 + 2 >= d.Palette!.Length) throw new DataFormatException($"{source}: palette index {idx} outside the {d.Palette.Length / 3}-entry palette");
        return idx;
    }

    private static float PaletteAlpha(Raw d, int idx) => d.PaletteAlpha is { } t && idx < t.Length ? t[idx] / 255f : 1f;

    private static float Sample(ReadOnlySpan<byte> row, int x, int ch, Raw d)
    {
        int depth = d.BitDepth, channels = d.Channels;
        if (depth == 8) return row[x * channels + ch] / 255f;
        if (depth == 16) return BinaryPrimitives.ReadUInt16BigEndian(row[((x * channels + ch) * 2)..]) / 65535f;
        int bit = x * depth, v = (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        return d.ColorType == 3 ? v : v / (float)((1 << depth) - 1);
    }

    /// <summary>Encodes an image as an 8-bit grayscale PNG.</summary>
    public static byte[] EncodeGray(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width;
        var raw = new byte[(w + 1) * image.Height];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < w; x++)
                raw[y * (w + 1) + 1 + x] = ToByte(image[x, y]);
        return Encode(w, image.Height, colorType: 0, raw);
    }

    /// <summary>Encodes an image as an 8-bit RGB PNG (colour type 2, no alpha); values are rounded to 0..255.</summary>
    public static byte[] EncodeRgb(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, stride = 3 * w + 1;
        var raw = new byte[stride * image.Height];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    raw[y * stride + 1 + 3 * x + c] = ToByte(image[x, y, c]);
        return Encode(w, image.Height, colorType: 2, raw);
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);

    /// <summary>A PNG of 8-bit samples from unfiltered scanlines (each already led by its filter byte 0).</summary>
    private static byte[] Encode(int width, int height, byte colorType, byte[] raw)
    {
        var ms = new MemoryStream();
        ms.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; ihdr[9] = colorType; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(ms, "IHDR", ihdr);
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
        WriteChunk(ms, "IDAT", z.ToArray());
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buf = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buf, data.Length);
        s.Write(buf);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(buf, Crc32.Compute(t, data));
        s.Write(buf);
    }
}
