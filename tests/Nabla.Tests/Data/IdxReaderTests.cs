using Nabla.Errors;
using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Data;
using Xunit;

namespace Nabla.Tests.Data;

public class IdxReaderTests
{
    /// <summary>Builds an IDX byte image by hand: magic 00 00 type rank, big-endian dims, data.</summary>
    internal static byte[] Idx(byte type, uint[] dims, byte[] data)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        b[2] = type;
        b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    internal static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private static string Temp(byte[] bytes, string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "nabla-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var p = Path.Combine(dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    private static readonly byte[] Pixels = [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6]; // 2 images of 2x3

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsTinyImagesRawAndGzipped(bool gzip)
    {
        var raw = Idx(0x08, [2, 2, 3], Pixels);
        var path = Temp(gzip ? Gzip(raw) : raw, "tiny-idx3-ubyte" + (gzip ? ".gz" : ""));
        var d = IdxReader.Read(path, expectedRank: 3);
        Assert.Equal(new[] { 2, 2, 3 }, d.Dims);
        Assert.Equal(Pixels, d.Data);
        var t = d.ToTensor();
        Assert.Equal(new[] { 2, 2, 3 }, t.Shape.ToArray());
        Assert.Equal(51 / 255f, t[0, 0, 1], 6);
        Assert.Equal(1f, t[0, 1, 2], 6);
        Assert.Equal(6 / 255f, t[1, 1, 2], 6);
        // The file name does not matter: gzip is detected by its magic bytes.
        Assert.Equal(Pixels, IdxReader.Read(Temp(gzip ? Gzip(raw) : raw, "no-extension")).Data);
    }

    [Fact]
    public void ReadsLabelsFromANonSeekableStream()
    {
        var raw = Gzip(Idx(0x08, [4], [3, 1, 4, 1]));
        using var s = new NonSeekable(raw);
        var d = IdxReader.Read(s, "labels", expectedRank: 1);
        Assert.Equal(new[] { 3, 1, 4, 1 }, d.ToInt32Array());
    }

    public static TheoryData<string, byte[], string> Malformed()
    {
        var good = Idx(0x08, [2, 2, 3], Pixels);
        var labelsHuge = Idx(0x08, [1u << 31], [1, 2, 3]);
        var imagesHuge = Idx(0x08, [60000, 280000, 28], [0, 0, 0, 0]);
        var dims = new TheoryData<string, byte[], string>
        {
            { "truncated data", good[..^3], "truncated" },
            { "truncated header", good[..9], "truncated header" },
            { "only two bytes", good[..2], "truncated" },
            { "trailing data", [.. good, 7], "trailing" },
            { "wrong magic", [0x12, 0x34, 0x08, 0x03, .. good[4..]], "magic 0x00000803 expected, found 0x12340803" },
            { "labels instead of images", Idx(0x08, [12], Pixels), "magic 0x00000803 expected, found 0x00000801" },
            { "float32 element type", Idx(0x0D, [2, 2, 3], Pixels), "element type 0x08 (unsigned byte) expected, found 0x0d" },
            { "2^31 labels", labelsHuge, "2147483648" },
            { "oversized images", imagesHuge, "limit" },
            { "gzip truncated", Gzip(good)[..20], "" },
            { "gzip 2^31 labels", Gzip(labelsHuge), "2147483648" },
            { "gzip declares more than it holds", Gzip(Idx(0x08, [2, 1000, 1000], new byte[10])), "truncated" },
        };
        return dims;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedInputRaisesDataFormatExceptionNamingTheFile(string what, byte[] bytes, string expected)
    {
        var path = Temp(bytes, "bad-idx3-ubyte.gz");
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path, expectedRank: what.Contains("labels") && !what.Contains("instead") ? 1 : 3));
        Assert.StartsWith("bad-idx3-ubyte.gz: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void HugeDeclaredSizeOnANonSeekableStreamFailsWithoutAllocatingIt()
    {
        // 1000 x 1000 x 1000 bytes declared (under no length bound), 10 present.
        long before = GC.GetTotalAllocatedBytes(true);
        using var s = new NonSeekable(Idx(0x08, [1000, 1000, 1000], new byte[10]));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(s, "stream", 3));
        Assert.Contains("truncated", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes(true) - before < 64 << 20, "the reader allocated the declared size up front");
    }

    private sealed class NonSeekable(byte[] bytes) : Stream
    {
        private readonly MemoryStream _m = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _m.Read(buffer, offset, Math.Min(count, 5)); // short reads on purpose
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
