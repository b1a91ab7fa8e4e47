using System.Buffers.Binary;
using Nabla.IO;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>10,000 mutated inputs per reader; only DataFormatException may escape.</summary>
public class FileReaderFuzzTests
{
    private const int Cases = 10_000;

    [Fact]
    public void Png()
    {
        var g = new Generator(3);
        var img = new GrayImage(9, 7, Enumerable.Range(0, 63).Select(_ => (float)g.NextDouble()).ToArray());
        var valid = Nabla.IO.Png.EncodeGray(img);
        int rejected = Fuzzer.Run(valid, b => Nabla.IO.Png.Decode(b), Cases, 11, fixup: FixPngCrcs);
        // Seeded, so the count is fixed (8,691 when written): most mutations must be refused, not decoded into some image.
        Assert.InRange(rejected, 8_000, Cases);
    }

    [Fact]
    public void Pgm()
    {
        var img = new GrayImage(5, 4, Enumerable.Range(0, 20).Select(i => i / 20f).ToArray());
        // Seeded counts (7,288 and 8,139 when written): a PGM has no checksum, so pixel-byte flips still decode, but
        // truncations and header damage must be refused.
        Assert.InRange(Fuzzer.Run(Nabla.IO.Pgm.Encode(img), b => Nabla.IO.Pgm.Decode(b), Cases, 12, headerBytes: 16), 6_500, Cases);
        var plain = System.Text.Encoding.ASCII.GetBytes("P2\n# comment\n3 2\n15\n0 1 2\n3 4 15\n");
        Assert.InRange(Fuzzer.Run(plain, b => Nabla.IO.Pgm.Decode(b), Cases, 13, headerBytes: 24), 7_500, Cases);
    }

    [Fact]
    public void SafeTensorsCheckpoint()
    {
        var path = Path.GetTempFileName();
        try
        {
            var model = new Sequential(new Linear(3, 2, generator: new Generator(1)));
            Checkpoint.Save(path, model, new Dictionary<string, string> { ["arch"] = "{\"layers\":[1,2]}" });
            var valid = File.ReadAllBytes(path);
            // Seeded count (8,418 when written); the parser alone (checksums are Checkpoint.Read's job) must refuse most.
            Assert.InRange(Fuzzer.Run(valid, b => SafeTensors.Parse(b, "fuzz"), Cases, 14, headerBytes: 200), 7_500, Cases);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TorchZipAndItsPickle()
    {
        var valid = File.ReadAllBytes(IO.Torch.TorchModels.Fixture("mlp.pt"));
        Assert.InRange(Fuzzer.Run(valid, b => Nabla.IO.Torch.TorchFile.Parse(b, "fuzz.pt"), Cases / 4, 15, headerBytes: 200), 1, Cases / 4);
        // The pickle itself, mutated inside an intact zip: opcodes, memo indices, sizes, strides and storage keys.
        byte[] pickle;
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(valid)))
        using (var s = zip.GetEntry("mlp/data.pkl")!.Open())
        using (var ms = new MemoryStream()) { s.CopyTo(ms); pickle = ms.ToArray(); }
        Fuzzer.Run(pickle, b => Nabla.IO.Torch.TorchFile.Parse(WithPickle(valid, b), "fuzz.pt"), Cases / 4, 16, headerBytes: pickle.Length);
    }

    private static byte[] WithPickle(byte[] torchZip, byte[] pickle)
    {
        using var source = new System.IO.Compression.ZipArchive(new MemoryStream(torchZip));
        var output = new MemoryStream();
        using (var target = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in source.Entries)
            {
                using var w = target.CreateEntry(e.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                if (e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)) w.Write(pickle);
                else using (var r = e.Open()) r.CopyTo(w);
            }
        return output.ToArray();
    }

    /// <summary>Recomputes every chunk CRC so mutations reach decompression, filtering and pixel decoding.</summary>
    private static byte[] FixPngCrcs(byte[] png)
    {
        var b = (byte[])png.Clone();
        int pos = 8;
        while (pos + 12 <= b.Length)
        {
            uint len = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos));
            if (len > (uint)(b.Length - pos - 12)) break;
            uint c = 0xFFFFFFFF;
            foreach (var x in b.AsSpan(pos + 4, 4 + (int)len)) { c ^= x; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1; }
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(pos + 8 + (int)len), ~c);
            pos += 12 + (int)len;
        }
        return b;
    }
}
