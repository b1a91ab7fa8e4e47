using System.Globalization;
using System.IO.Compression;
using Nabla.Errors;
using Nabla.IO.Torch.Pickle;
using Nabla.NN;

namespace Nabla.IO.Torch;

/// <summary>
/// Reads PyTorch's zip format (<c>torch.save</c> since 1.6): <c>NAME/data.pkl</c>, the pickled state dict whose
/// tensors name their storages by persistent ids, and <c>NAME/data/KEY</c>, one entry of raw little-endian elements per
/// storage. The whole file is checked before a tensor is returned.
/// </summary>
internal static class TorchZipReader
{
    public static TensorStateDict Read(Stream stream, string source)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw new DataFormatException($"{source}: a zip archive without a data.pkl entry, so not a torch.save file (entries: {string.Join(", ", zip.Entries.Take(5).Select(e => e.FullName))})");
            string prefix = pkl.FullName[..^"data.pkl".Length];
            var storages = new Dictionary<string, (TorchStorageRef Ref, byte[] Bytes)>(StringComparer.Ordinal);
            TorchStorageRef Load(PickleTuple id) => LoadStorage(zip, prefix, source, id, storages);
            object? root = new PickleReader(ReadEntry(pkl), $"{source}:{pkl.FullName}", Load).Read();
            return Materialize(root, source, storages);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{source}: not a complete zip archive as torch.save writes ({stream.Length} bytes; {e.Message}); the file may be truncated or damaged", e);
        }
    }

    private static TorchStorageRef LoadStorage(ZipArchive zip, string prefix, string source, PickleTuple id,
        Dictionary<string, (TorchStorageRef Ref, byte[] Bytes)> storages)
    {
        var a = id.Items;
        if (a.Length != 5 || a[0] is not "storage" || a[1] is not PickleGlobal type || a[2] is not string key || a[4] is not long numel)
            throw new DataFormatException($"{source}: a persistent id ({string.Join(", ", a.Select(PickleReader.Describe))}) is not ('storage', type, key, location, numel)");
        var element = TorchElementType.FromStorage(type.Name)!;
        if (storages.TryGetValue(key, out var known))
        {
            if (known.Ref.Type != element) throw new DataFormatException($"{source}: storage '{key}' is read as {known.Ref.Type.Name} and as {element.Name}");
            return known.Ref;
        }
        string name = $"{prefix}data/{key}";
        var entry = zip.GetEntry(name) ?? throw new DataFormatException($"{source}: entry {name} (storage '{key}') is missing");
        var bytes = ReadEntry(entry);
        if (numel < 0 || numel > bytes.LongLength / element.Size)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: entry {name} has {bytes.LongLength} bytes; its {numel} {element.Name} elements need {(numel < 0 || numel > long.MaxValue / element.Size ? "more" : (numel * element.Size).ToString(CultureInfo.InvariantCulture))}"));
        var r = new TorchStorageRef(element, key, numel);
        storages[key] = (r, bytes);
        return r;
    }

    private static TensorStateDict Materialize(object? root, string source, Dictionary<string, (TorchStorageRef Ref, byte[] Bytes)> storages)
    {
        if (root is not PickleDict dict)
            throw new DataFormatException($"{source}: holds a {PickleReader.Describe(root)}, not a state dict (a dict of tensors); save one with torch.save(model.state_dict(), path)");
        var result = new TensorStateDict(source);
        foreach (var (k, v) in dict.Items)
        {
            if (k is not string name) throw new DataFormatException($"{source}: a key of the dict is a {PickleReader.Describe(k)}, not a name");
            if (v is not TorchTensorRef t)
                throw new DataFormatException($"{source}: entry '{name}' is a {PickleReader.Describe(v)}, not a tensor: not a state dict"
                    + (v is PickleDict ? $" (a checkpoint holding one? save that one: torch.save(checkpoint['{name}'], path))" : ""));
            long extent = t.Size.Any(s => s == 0) ? 0 : t.Offset + 1 + t.Size.Zip(t.Stride, (s, st) => (s - 1) * st).Sum();
            if (extent > t.Storage.Numel)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: tensor '{name}' (size [{string.Join(",", t.Size)}], stride [{string.Join(",", t.Stride)}], offset {t.Offset}) reaches element {extent - 1} of storage '{t.Storage.Key}', which has {t.Storage.Numel}"));
            long numel = t.Size.Aggregate(1L, (p, s) => p > int.MaxValue ? p : p * s);
            if (numel > Math.Max(1, t.Storage.Numel))
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: tensor '{name}' has {numel} elements but its storage '{t.Storage.Key}' only {t.Storage.Numel} (an expanded view); save it with .clone()"));
            result.Set(name, t.Storage.Type.Gather(storages[t.Storage.Key].Bytes, t.Offset, t.Size, t.Stride));
        }
        return result;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
