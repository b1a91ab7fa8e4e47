using System.IO.Compression;
using System.Text;
using Nabla.Data;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// 10,000 mutated inputs per reader (IDX raw, IDX gzip, CSV): only DataFormatException may escape, no case may hang.
/// </summary>
public class DataReaderFuzzTests
{
    private const int Cases = 10_000;

    private static byte[] ValidIdx()
    {
        var g = new Generator(21);
        var b = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
        for (int i = 0; i < 3 * 4 * 5; i++) b.Add((byte)g.NextInt(256));
        return [.. b];
    }

    private static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>Reads through a seekable stream (exact-length check) or a forward-only one (growth loop), alternately.</summary>
    private static void ReadIdx(byte[] b, ref int k)
    {
        Stream s = (k++ & 1) == 0 ? new MemoryStream(b) : new ForwardOnlyStream(new MemoryStream(b));
        var d = IdxReader.Read(s, "fuzz.idx");
        // Whatever parsed must be self-consistent.
        long n = 1;
        foreach (int x in d.Dims) n *= x;
        Assert.Equal(n, d.Data.Length);
    }

    [Fact]
    public void IdxRaw()
    {
        var valid = ValidIdx();
        int k = 0;
        Assert.Equal([3, 4, 5], IdxReader.Read(new MemoryStream(valid), "ok").Dims);
        int rejected = Fuzzer.Run(valid, b => ReadIdx(b, ref k), Cases, 31, headerBytes: 16);
        Assert.InRange(rejected, Cases / 2, Cases);
    }

    [Fact]
    public void IdxGzip()
    {
        var raw = ValidIdx();
        var valid = Gzip(raw);
        Assert.Equal(raw[16..], IdxReader.Read(new MemoryStream(valid), "ok").Data);
        int k = 0;
        // Half the cases mutate the decompressed IDX and recompress it, so the header checks behind gzip are reached too.
        var g = new Generator(5);
        int rejected = Fuzzer.Run(valid, b => ReadIdx(b, ref k), Cases, 32, headerBytes: 24,
            fixup: _ => Gzip(MutateHeader(raw, g)));
        Assert.InRange(rejected, Cases / 2, Cases);
    }

    private static byte[] MutateHeader(byte[] raw, Generator g)
    {
        var b = (byte[])raw.Clone();
        if (g.NextInt(3) == 0) return b.AsSpan(0, g.NextInt(b.Length)).ToArray();
        int n = 1 + g.NextInt(3);
        for (int i = 0; i < n; i++) b[g.NextInt(16)] = g.NextInt(2) == 0 ? (byte)0xFF : (byte)g.NextInt(256);
        return b;
    }

    [Fact]
    public void Csv()
    {
        const string text = "x1,x2,\"x 3\",label\n1.5,-2,3e2,cat\n\"4\",5.25, 6 ,dog\n\n7,8,9,\"c\"\"at\"\n-0.1,0,1E-3,dog\n";
        var valid = Encoding.UTF8.GetBytes(text);
        CsvOptions[] options =
        [
            new(),
            new() { LabelColumn = "label" },
            new() { LabelColumnIndex = -1 },
            new() { LabelColumnIndex = 0, HasHeader = false },
            new() { LabelColumnIndex = 2, RegressionTarget = true },
            new() { Delimiter = ';', HasHeader = true },
        ];
        var parsed = CsvReader.Read(new StringReader(text), "ok", options[1]);
        Assert.Equal(4, parsed.Count);
        int k = 0;
        var g = new Generator(7);
        int rejected = Fuzzer.Run(valid, b =>
        {
            var o = options[k++ % options.Length];
            var d = CsvReader.Read(new StreamReader(new MemoryStream(b), Encoding.UTF8), "fuzz.csv", o);
            Assert.Equal(d.Count * d.FeatureNames.Count, d.Features.Numel);
            if (d.Labels is not null) Assert.Equal(d.Count, d.Labels.Length);
        }, Cases, 33, headerBytes: valid.Length, fixup: b => InsertSyntax(b, g));
        Assert.InRange(rejected, 9_000, Cases); // seeded: 9,616 when written (ragged rows, stray quotes, NaN/inf cells)
    }

    /// <summary>Inserts CSV syntax (quotes, delimiters, line breaks, signs, exponents) at random places.</summary>
    private static byte[] InsertSyntax(byte[] b, Generator g)
    {
        var list = new List<byte>(b);
        byte[] syntax = "\",;\n\r -+eE.\t0NaInfity\u00a0"u8.ToArray();
        int n = 1 + g.NextInt(4);
        for (int i = 0; i < n; i++) list.Insert(g.NextInt(list.Count + 1), syntax[g.NextInt(syntax.Length)]);
        return [.. list];
    }

    /// <summary>A stream that cannot seek, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Damaged or missing MNIST-layout folders: the loader names the file, never leaks an AggregateException.</summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-mnist").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, byte[] header, int dataBytes, byte fill = 1)
        => File.WriteAllBytes(Path.Combine(_dir, name), [.. header, .. Enumerable.Repeat(fill, dataBytes)]);

    private static byte[] Header(params int[] dims)
    {
        var h = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (int d in dims) h.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. h];
    }

    private void WriteValid()
    {
        Write("train-images-idx3-ubyte", Header(3, 28, 28), 3 * 784);
        Write("train-labels-idx1-ubyte", Header(3), 3);
        Write("t10k-images-idx3-ubyte", Header(2, 28, 28), 2 * 784);
        Write("t10k-labels-idx1-ubyte", Header(2), 2);
    }

    [Fact]
    public void AValidFolderLoads()
    {
        WriteValid();
        var d = Mnist.Load(_dir, flatten: true);
        Assert.Equal(3, d.Train.Count);
        Assert.Equal([2, 784], d.Test.Features.Shape.ToArray());
    }

    [Fact]
    public void EachDamageIsADataFormatExceptionNamingTheFile()
    {
        WriteValid();
        Write("t10k-labels-idx1-ubyte", Header(2), 1); // truncated
        var e = Assert.Throws<Nabla.Errors.DataFormatException>(() => Mnist.Load(_dir));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("truncated", e.Message);

        WriteValid();
        Write("train-labels-idx1-ubyte", Header(3), 3, fill: 12); // label 12 of 10 classes
        e = Assert.Throws<Nabla.Errors.DataFormatException>(() => Mnist.Load(_dir));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains("found 12", e.Message);

        WriteValid();
        Write("train-labels-idx1-ubyte", Header(4), 4); // 4 labels for 3 images
        Assert.Contains("3 labels expected", Assert.Throws<Nabla.Errors.DataFormatException>(() => FashionMnist.Load(_dir)).Message);

        WriteValid();
        Write("train-images-idx3-ubyte", Header(3, 27, 28), 3 * 27 * 28);
        Assert.Contains("28x28 images expected", Assert.Throws<Nabla.Errors.DataFormatException>(() => Mnist.Load(_dir)).Message);
    }

    [Fact]
    public void AMissingFileNamesItAndTheFolder()
    {
        WriteValid();
        File.Delete(Path.Combine(_dir, "t10k-images-idx3-ubyte"));
        var e = Assert.Throws<DatasetNotFoundException>(() => Mnist.Load(_dir));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains(_dir, e.Message);
    }
}
