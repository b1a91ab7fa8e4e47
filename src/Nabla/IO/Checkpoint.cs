using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Saves and loads a model's parameters and buffers, with any extra named state (optimizer moments,
/// preprocessing statistics) and string metadata (architecture JSON, epoch, random-generator states),
/// as ONE safetensors file written atomically. Model tensors are stored as <c>model.&lt;name&gt;</c>; a SHA-256
/// of all tensor bytes is stored in the metadata and verified on load.
/// </summary>
public static class Checkpoint
{
    /// <summary>The metadata key holding the SHA-256 of the tensor data.</summary>
    public const string ChecksumKey = "nabla.sha256";

    /// <summary>
    /// The metadata key holding the SHA-256 of every other metadata entry (architecture, optimizer scalars, history, ...),
    /// so a damaged metadata string is caught too. Files written before it existed have none and are accepted without it.
    /// </summary>
    public const string MetadataChecksumKey = "nabla.sha256.metadata";

    /// <summary>The prefix of model tensors in the file.</summary>
    public const string ModelPrefix = "model.";

    /// <summary>Writes the model (and extra tensors and metadata) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null,
        IEnumerable<KeyValuePair<string, Tensor>>? extraTensors = null)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, p) in model.NamedParameters()) tensors.Add(new(ModelPrefix + name, p.Data));
        foreach (var (name, b) in model.NamedBuffers()) tensors.Add(new(ModelPrefix + name, b));
        if (extraTensors is not null)
            foreach (var kv in extraTensors)
            {
                if (kv.Key.StartsWith(ModelPrefix, StringComparison.Ordinal))
                    throw new Errors.ValueException($"checkpoint: extra tensor '{kv.Key}' must not use the reserved prefix '{ModelPrefix}'");
                tensors.Add(kv);
            }
        var meta = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        meta.Remove(MetadataChecksumKey);
        meta[ChecksumKey] = Checksum(tensors);
        meta[MetadataChecksumKey] = MetadataChecksum(meta);
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Reads <paramref name="path"/>, verifies its checksum, checks that it holds exactly the model's parameters and
    /// buffers with the same shapes, and only then copies them into <paramref name="model"/>. On any error the model
    /// is left as it was. Returns the file so callers can read extra tensors and metadata.
    /// </summary>
    /// <exception cref="Errors.DataFormatException">The file is missing, truncated or not safetensors.</exception>
    /// <exception cref="CheckpointException">The file is damaged (checksum) or does not fit the model (names, shapes).</exception>
    public static SafeTensorsFile Load(string path, Module model) => Load(Read(path), Path.GetFileName(path), model);

    /// <summary>
    /// Copies the model tensors of an already read and verified <paramref name="file"/> (from <see cref="Read"/>) into
    /// <paramref name="model"/>, after checking names and shapes; <paramref name="fileName"/> names it in errors. On any
    /// error the model is left as it was.
    /// </summary>
    /// <exception cref="CheckpointException">The file does not fit the model (names, shapes).</exception>
    public static SafeTensorsFile Load(SafeTensorsFile file, string fileName, Module model)
    {
        var stored = new NN.TensorStateDict(fileName);
        foreach (var (n, t) in file.Tensors)
            if (n.StartsWith(ModelPrefix, StringComparison.Ordinal)) stored.Set(n[ModelPrefix.Length..], t);
        model.LoadStateDict(stored, strict: true);
        return file;
    }

    /// <summary>Reads a checkpoint file and verifies its checksums (tensors and metadata) without touching any model.</summary>
    /// <exception cref="Errors.DataFormatException">The file is missing, truncated or not safetensors.</exception>
    /// <exception cref="CheckpointException">It has no checksum, or a checksum does not match: the file is damaged.</exception>
    public static SafeTensorsFile Read(string path)
    {
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue(ChecksumKey, out var expected))
            throw new CheckpointException($"{Path.GetFileName(path)}: no checksum ({ChecksumKey}) in the metadata; not a Nabla checkpoint");
        var actual = Checksum(file.Tensors);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new CheckpointException($"{Path.GetFileName(path)}: checksum mismatch (stored {expected[..Math.Min(12, expected.Length)]}…, computed {actual[..12]}…): the file is damaged");
        if (file.Metadata.TryGetValue(MetadataChecksumKey, out var expectedMeta))
        {
            var actualMeta = MetadataChecksum(file.Metadata);
            if (!string.Equals(expectedMeta, actualMeta, StringComparison.Ordinal))
                throw new CheckpointException($"{Path.GetFileName(path)}: metadata checksum mismatch (stored {expectedMeta[..Math.Min(12, expectedMeta.Length)]}…, computed {actualMeta[..12]}…): the file is damaged");
        }
        return file;
    }

    /// <summary>SHA-256 (hex) over the metadata entries in ordinal key order, without <see cref="MetadataChecksumKey"/> itself.</summary>
    public static string MetadataChecksum(IReadOnlyDictionary<string, string> metadata)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        foreach (var (k, v) in metadata.Where(kv => kv.Key != MetadataChecksumKey).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            foreach (var part in new[] { k, v })
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(part);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length); // length-prefixed: ("ab","c") ≠ ("a","bc")
                sha.AppendData(len);
                sha.AppendData(bytes);
            }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLower(CultureInfo.InvariantCulture);
    }

    /// <summary>SHA-256 (hex) over names, shapes and bytes of the tensors, in order.</summary>
    public static string Checksum(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in tensors)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + t.Shape.ToString() + t.DType.ToString()));
            if (t.DType == DType.Float32) sha.AppendData(MemoryMarshal.AsBytes(t.AsSpan<float>()));
            else sha.AppendData(MemoryMarshal.AsBytes(t.AsSpan<double>()));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLower(CultureInfo.InvariantCulture);
    }
}
