using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nabla.Tests.IO;

/// <summary>Hand-built PNG files for decoder tests, independent of the library's encoder and CRC table.</summary>
internal static class PngBuilder
{
    /// <summary>Builds a PNG by hand: IHDR fields, raw scanlines (each already prefixed by its filter byte), optional PLTE and tRNS.</summary>
    public static byte[] Build(int w, int h, byte depth, byte colorType, byte[] scanlines, byte[]? plte = null, byte interlace = 0, byte[]? trns = null)
    {
        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = depth; ihdr[9] = colorType; ihdr[12] = interlace;
        Chunk(ms, "IHDR", ihdr);
        if (plte is not null) Chunk(ms, "PLTE", plte);
        if (trns is not null) Chunk(ms, "tRNS", trns);
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, true)) zs.Write(scanlines);
        Chunk(ms, "IDAT", z.ToArray());
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>Writes one PNG chunk: length, type, data and a CRC-32 computed independently of the library.</summary>
    internal static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        // CRC-32 computed independently of the library's table (bitwise).
        uint c = 0xFFFFFFFF;
        foreach (var b in t.Concat(data)) { c ^= b; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1; }
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, ~c);
        s.Write(crc);
    }
}
