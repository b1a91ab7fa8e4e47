using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Format;

/// <summary>
/// Reads a tensor's data that ONNX stores outside the model file (<c>data_location = EXTERNAL</c>): the keys
/// <c>location</c> (a path relative to the model's folder), <c>offset</c> and <c>length</c>.
/// </summary>
internal static class ExternalData
{
    /// <summary>The bytes of <paramref name="proto"/>'s external data; a missing file or range is an <see cref="OnnxException"/>.</summary>
    public static byte[] Read(TensorProto proto, string? modelDirectory, string where)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = ParseSize(entry.Value, "offset", proto, where); break;
                case "length": length = ParseSize(entry.Value, "length", proto, where); break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw new OnnxException($"{where}: tensor '{proto.Name}' stores its data externally but names no 'location'.");
        if (modelDirectory is null)
            throw new OnnxException($"{where}: tensor '{proto.Name}' stores its data in the external file '{location}', " +
                                    "but the model was not read from a folder; load it from its file path.");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw new OnnxException($"{where}: tensor '{proto.Name}' names the external file '{location}'; " +
                                    "expected a path inside the model's folder.");
        string path = Path.Combine(modelDirectory, location);
        if (!File.Exists(path))
            throw new OnnxException($"{where}: tensor '{proto.Name}' stores its data in the external file '{path}', which does not exist.");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long available = fs.Length - offset;
        if (offset > fs.Length || (length >= 0 && length > available))
            throw new OnnxException($"{where}: tensor '{proto.Name}' needs bytes {offset}..{offset + Math.Max(length, 0)} of '{path}'; " +
                                    $"the file has {fs.Length} bytes.");
        long n = length >= 0 ? length : available;
        if (n > int.MaxValue)
            throw new OnnxException($"{where}: tensor '{proto.Name}' has {n} bytes of external data; at most {int.MaxValue} are supported.");
        var bytes = new byte[n];
        fs.Seek(offset, SeekOrigin.Begin);
        fs.ReadExactly(bytes);
        return bytes;
    }

    static long ParseSize(string text, string key, TensorProto proto, string where) =>
        long.TryParse(text, out long v) && v >= 0
            ? v
            : throw new OnnxException($"{where}: tensor '{proto.Name}' has external-data {key} '{text}'; expected a non-negative integer.");
}
