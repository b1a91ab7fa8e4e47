using System.Text;
using Nabla.Errors;

namespace Nabla.IO;

/// <summary>Reads and writes portable graymaps: binary (P5) and plain (P2), 8 or 16 bits, with comments in the header.</summary>
public static class Pgm
{
    /// <summary>Reads a PGM file.</summary>
    public static GrayImage Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException($"{path}: cannot read ({e.Message})", e); }
        return Decode(bytes, Path.GetFileName(path));
    }

    /// <summary>Decodes PGM bytes.</summary>
    public static GrayImage Decode(ReadOnlySpan<byte> data, string source = "pgm")
    {
        if (data.Length < 2 || data[0] != 'P' || (data[1] != '5' && data[1] != '2'))
            throw new DataFormatException($"{source}: not a PGM file (magic P5 or P2 expected)");
        bool binary = data[1] == '5';
        int pos = 2;
        int width = ReadInt(data, ref pos, source, "width"), height = ReadInt(data, ref pos, source, "height"), max = ReadInt(data, ref pos, source, "maxval");
        if (width <= 0 || height <= 0 || (long)width * height > Png.MaxPixels) throw new DataFormatException($"{source}: image size {width}x{height} is invalid or too large");
        if (max <= 0 || max > 65535) throw new DataFormatException($"{source}: maxval {max} is outside 1..65535");
        var pixels = new float[width * height];
        if (binary)
        {
            pos++; // the single whitespace after maxval
            int bytesPer = max < 256 ? 1 : 2;
            if (pos + (long)pixels.Length * bytesPer > data.Length)
                throw new DataFormatException($"{source}: truncated: {width}x{height} pixels need {(long)pixels.Length * bytesPer} bytes, {Math.Max(0, data.Length - pos)} present");
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = (bytesPer == 1 ? data[pos + i] : (data[pos + 2 * i] << 8) | data[pos + 2 * i + 1]) / (float)max;
        }
        else
            for (int i = 0; i < pixels.Length; i++) pixels[i] = Math.Min(ReadInt(data, ref pos, source, "pixel"), max) / (float)max;
        return new GrayImage(width, height, pixels);
    }

    private static int ReadInt(ReadOnlySpan<byte> d, ref int pos, string source, string what)
    {
        while (pos < d.Length)
        {
            if (d[pos] == '#') { while (pos < d.Length && d[pos] != '\n') pos++; }
            else if (char.IsWhiteSpace((char)d[pos])) pos++;
            else break;
        }
        long v = 0;
        int start = pos;
        while (pos < d.Length && d[pos] >= '0' && d[pos] <= '9' && v <= int.MaxValue) v = v * 10 + (d[pos++] - '0');
        if (pos == start || v > int.MaxValue) throw new DataFormatException($"{source}: {what} expected at byte {start}");
        return (int)v;
    }

    /// <summary>Encodes an image as a binary 8-bit PGM (P5).</summary>
    public static byte[] Encode(GrayImage image)
    {
        var header = Encoding.ASCII.GetBytes($"P5\n{image.Width} {image.Height}\n255\n");
        var bytes = new byte[header.Length + image.Pixels.Length];
        header.CopyTo(bytes, 0);
        for (int i = 0; i < image.Pixels.Length; i++) bytes[header.Length + i] = (byte)Math.Clamp((int)Math.Round(image.Pixels[i] * 255), 0, 255);
        return bytes;
    }
}
