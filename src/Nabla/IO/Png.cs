using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.Errors;

namespace Nabla.IO;

/// <summary>
/// A PNG decoder (non-interlaced; grayscale, RGB, palette, with or without alpha; bit depths 1–16) producing
/// a <see cref="GrayImage"/> by luminance 0.299R + 0.587G + 0.114B (alpha composited over black), and a
/// grayscale 8-bit encoder. Chunk CRCs are verified; every malformed input raises <see cref="DataFormatException"/>.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>The largest image accepted (in pixels), checked before allocating.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Reads a PNG file.</summary>
    public static GrayImage Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException($"{path}: cannot read ({e.Message})", e); }
        return Decode(bytes, Path.GetFileName(path));
    }

    /// <summary>Decodes PNG bytes; <paramref name="source"/> names the input in error messages.</summary>
    public static GrayImage Decode(ReadOnlySpan<byte> png, string source = "png")
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
                case "IHDR":
                    if (len != 13) throw new DataFormatException($"{source}: IHDR has {len} bytes, expected 13");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    bitDepth = data[8]; colorType = data[9];
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
                    break;
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
        catch (InvalidDataException e) { throw new DataFormatException($"{source}: corrupt compressed image data ({e.Message})", e); }
        Unfilter(raw, stride, height, bpp, source);
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            var row = raw.AsSpan(y * (stride + 1) + 1, stride);
            for (int x = 0; x < width; x++) pixels[y * width + x] = Luminance(row, x, colorType, bitDepth, channels, palette!, paletteAlpha, source);
        }
        return new GrayImage(width, height, pixels);
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

    private static float Luminance(ReadOnlySpan<byte> row, int x, int colorType, int depth, int channels, byte[] palette, byte[]? trns, string source)
    {
        switch (colorType)
        {
            case 0: return Sample(row, x, 0, colorType, depth, channels);
            case 4: return Sample(row, x, 0, colorType, depth, channels) * Sample(row, x, 1, colorType, depth, channels);
            case 2: return 0.299f * Sample(row, x, 0, colorType, depth, channels) + 0.587f * Sample(row, x, 1, colorType, depth, channels) + 0.114f * Sample(row, x, 2, colorType, depth, channels);
            case 6: return (0.299f * Sample(row, x, 0, colorType, depth, channels) + 0.587f * Sample(row, x, 1, colorType, depth, channels) + 0.114f * Sample(row, x, 2, colorType, depth, channels)) * Sample(row, x, 3, colorType, depth, channels);
            default:
                int idx = depth == 8 ? row[x] : (int)Sample(row, x, 0, colorType, depth, channels);
                if (idx * 3 + 2 >= palette.Length) throw new DataFormatException($"{source}: palette index {idx} outside the {palette.Length / 3}-entry palette");
                float alpha = trns is not null && idx < trns.Length ? trns[idx] / 255f : 1f;
                return (0.299f * palette[idx * 3] + 0.587f * palette[idx * 3 + 1] + 0.114f * palette[idx * 3 + 2]) / 255f * alpha;
        }
    }

    private static float Sample(ReadOnlySpan<byte> row, int x, int ch, int colorType, int depth, int channels)
    {
        if (depth == 8) return row[x * channels + ch] / 255f;
        if (depth == 16) return BinaryPrimitives.ReadUInt16BigEndian(row[((x * channels + ch) * 2)..]) / 65535f;
        int bit = x * depth, v = (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        return colorType == 3 ? v : v / (float)((1 << depth) - 1);
    }

    /// <summary>Encodes an image as an 8-bit grayscale PNG.</summary>
    public static byte[] EncodeGray(GrayImage image)
    {
        var ms = new MemoryStream();
        ms.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(ms, "IHDR", ihdr);
        var raw = new byte[(image.Width + 1) * image.Height];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                raw[y * (image.Width + 1) + 1 + x] = (byte)Math.Clamp((int)Math.Round(image[x, y] * 255), 0, 255);
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
