using System.Globalization;
using System.IO.Compression;
using Nabla.IO.Torch.Pickle;
using Nabla.Tensors;

namespace Nabla.IO.Torch;

/// <summary>
/// Writes PyTorch's zip layout as torch 1.13 does: <c>archive/data.pkl</c>, <c>archive/data/0</c>…<c>N</c> (one
/// stored, uncompressed entry of little-endian elements per tensor), <c>archive/version</c> = 3, and
/// <c>archive/byteorder</c> = little for newer readers.
/// </summary>
internal static class TorchZipWriter
{
    private const string Prefix = "archive/";

    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("torch format: big-endian machines are not supported");
        var entries = tensors.Select((kv, i) => (Name: kv.Key, Key: i.ToString(CultureInfo.InvariantCulture),
            Type: TorchElementType.ForWriting(kv.Key, kv.Value), Tensor: kv.Value)).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
            if (!names.Add(e.Name)) throw new Errors.ValueException($"torch format: tensor name '{e.Name}' is repeated");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Put(zip, "data.pkl", PickleWriter.StateDict(entries.Select(e => (e.Name, e.Key, e.Type, e.Tensor.Shape.ToArray()))));
        Put(zip, "byteorder", "little"u8.ToArray());
        foreach (var e in entries)
        {
            var values = e.Tensor.ToDoubleArray();
            var bytes = new byte[values.Length * e.Type.Size];
            for (int i = 0; i < values.Length; i++) e.Type.Write(bytes.AsSpan(i * e.Type.Size), values[i]);
            Put(zip, "data/" + e.Key, bytes);
        }
        Put(zip, "version", "3\n"u8.ToArray());
    }

    private static void Put(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(Prefix + name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero); // reproducible files
        using var s = entry.Open();
        s.Write(bytes);
    }
}
