using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Nabla.Errors;
using Nabla.IO.Torch;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// mapping each tensor name to {dtype, shape, data_offsets} (plus an optional <c>__metadata__</c> map of strings),
/// then the raw little-endian data. Nabla writes F32 and F64 (and I64 for PyTorch's integer buffers through <see cref="Torch.TorchFile"/>) and reads F32, F64, F16/BF16 (widened to F32) and I64 (as F64).
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (100 MiB): larger declared sizes are rejected before allocating.</summary>
    public const long MaxHeaderBytes = 100L << 20;

    /// <summary>Serializes named tensors and metadata to a stream. Names are written in the given order.</summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => Write(stream, tensors, metadata, null);

    /// <summary>Serializes as <see cref="Write(Stream, IReadOnlyList{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>, each tensor as the element type <paramref name="typeOf"/> picks (default: F32 or F64 by its dtype).</summary>
    internal static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata,
        Func<string, Tensor, TorchElementType>? typeOf)
    {
        typeOf ??= static (_, t) => t.DType == DType.Float32 ? TorchElementType.Float32 : TorchElementType.Float64;
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var seen = new HashSet<string>();
        foreach (var (name, t) in tensors)
        {
            if (name == "__metadata__" || !seen.Add(name)) throw new ValueException($"safetensors: tensor name '{name}' is reserved or repeated");
            var type = typeOf(name, t);
            long size = (long)t.Numel * type.Size;
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = type.SafeTensorsTag,
                ["shape"] = t.Shape.ToArray(),
                ["data_offsets"] = new[] { offset, offset + size },
            };
            offset += size;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8;
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(json.Length + pad));
        stream.Write(len);
        stream.Write(json);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
        foreach (var (name, t) in tensors)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: big-endian machines are not supported");
            var type = typeOf(name, t);
            if (type == TorchElementType.Float32 && t.DType == DType.Float32) stream.Write(MemoryMarshal.AsBytes(t.AsSpan<float>()));
            else if (type == TorchElementType.Float64 && t.DType == DType.Float64) stream.Write(MemoryMarshal.AsBytes(t.AsSpan<double>()));
            else
            {
                var values = t.ToDoubleArray();
                var bytes = new byte[values.Length * type.Size];
                for (int i = 0; i < values.Length; i++) type.Write(bytes.AsSpan(i * type.Size), values[i]);
                stream.Write(bytes);
            }
        }
    }

    /// <summary>Writes a file atomically (temporary file, flush, rename).</summary>
    public static void Save(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => AtomicFile.Write(path, s => Write(s, tensors, metadata));

    /// <summary>Reads a file; any malformed content raises <see cref="DataFormatException"/> naming the file.</summary>
    public static SafeTensorsFile Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new DataFormatException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new DataFormatException($"{path}: file not found"); }
        return Parse(bytes, Path.GetFileName(path));
    }

    /// <summary>Parses a whole safetensors image held in memory.</summary>
    public static SafeTensorsFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8) throw new DataFormatException($"{source}: {bytes.Length} bytes is too short for a safetensors header length (8 bytes)");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)MaxHeaderBytes || headerLen > (ulong)(bytes.Length - 8))
            throw new DataFormatException($"{source}: header length {headerLen} exceeds the file ({bytes.Length - 8} bytes after the length) or the limit of {MaxHeaderBytes}");
        var headerBytes = bytes.Slice(8, (int)headerLen);
        var data = bytes[(8 + (int)headerLen)..];
        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes.ToArray()); }
        catch (JsonException e) { throw new DataFormatException($"{source}: the header is not valid JSON ({e.Message})", e); }
        using (doc)
        try
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException($"{source}: the header must be a JSON object");
            var tensors = new List<KeyValuePair<string, Tensor>>();
            var metadata = new Dictionary<string, string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new DataFormatException($"{source}: __metadata__ must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw new DataFormatException($"{source}: metadata '{m.Name}' must be a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(new(prop.Name, ReadTensor(prop, data, source)));
            }
            return new SafeTensorsFile(tensors, metadata);
        }
        catch (InvalidOperationException e) { throw new DataFormatException($"{source}: malformed header ({e.Message})", e); }
    }

    private static Tensor ReadTensor(JsonProperty prop, ReadOnlySpan<byte> data, string source)
    {
        string name = prop.Name;
        var e = prop.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new DataFormatException($"{source}: tensor '{name}' needs dtype (string), shape (array) and data_offsets ([begin, end])");
        string dtype = dt.GetString()!;
        var type = TorchElementType.FromTag(dtype)
            ?? throw new DataFormatException($"{source}: tensor '{name}' has dtype {dtype}; supported are {TorchElementType.Supported(t => t.SafeTensorsTag)}");
        int elemSize = type.Size;
        var dims = new List<int>();
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0 || v > int.MaxValue)
                throw new DataFormatException($"{source}: tensor '{name}' has an invalid dimension {d}");
            dims.Add((int)v);
            count *= v;
            if (count > int.MaxValue) throw new DataFormatException($"{source}: tensor '{name}' declares more than {int.MaxValue} elements");
        }
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin || end > data.Length)
            throw new DataFormatException($"{source}: tensor '{name}' data_offsets [{off[0]}, {off[1]}] fall outside the {data.Length} data bytes");
        if (end - begin != count * elemSize)
            throw new DataFormatException($"{source}: tensor '{name}' of shape [{string.Join(",", dims)}] and dtype {dtype} needs {count * elemSize} bytes, data_offsets span {end - begin}");
        var raw = data.Slice((int)begin, (int)(end - begin));
        var shape = dims.ToArray();
        if (type == TorchElementType.Float32) return Tensor.Wrap(MemoryMarshal.Cast<byte, float>(raw).ToArray(), shape.Length == 0 ? [] : shape).Reshape(shape);
        if (type == TorchElementType.Float64) return Tensor.Wrap(MemoryMarshal.Cast<byte, double>(raw).ToArray(), shape.Length == 0 ? [] : shape).Reshape(shape);
        var contiguous = new long[shape.Length];
        for (int d = shape.Length - 1, s = 1; d >= 0; s *= shape[d], d--) contiguous[d] = s;
        return type.Gather(raw, 0, shape.Select(x => (long)x).ToArray(), contiguous);
    }
}
