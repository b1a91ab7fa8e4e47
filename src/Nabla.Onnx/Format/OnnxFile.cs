using Google.Protobuf;
using Nabla.IO;
using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Format;

/// <summary>Reads and writes ONNX model files (one serialized <c>ModelProto</c>), with errors that name the file.</summary>
internal static class OnnxFile
{
    /// <summary>Reads <paramref name="path"/> as a <c>ModelProto</c>; a missing, truncated or garbage file is an <see cref="OnnxException"/>.</summary>
    public static ModelProto Read(string path)
    {
        if (!File.Exists(path))
            throw new OnnxException($"ONNX file '{path}' does not exist.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new OnnxException($"ONNX file '{path}' cannot be read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new OnnxException($"ONNX file '{path}' cannot be read: {e.Message}", e); }
        if (bytes.Length == 0)
            throw new OnnxException($"ONNX file '{path}' is empty (0 bytes); expected a serialized ONNX ModelProto.");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxException(
                $"ONNX file '{path}' ({bytes.Length} bytes) is not a valid ONNX model (truncated or not protobuf): {e.Message}", e);
        }
        if (model.Graph is null)
            throw new OnnxException($"ONNX file '{path}' has no graph; expected a ModelProto with a GraphProto (is it an ONNX model?).");
        if (model.IrVersion <= 0)
            throw new OnnxException($"ONNX file '{path}' declares IR version {model.IrVersion}; expected 3 or later (is it an ONNX model?).");
        return model;
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically: readers see the old file or the whole new one.</summary>
    public static void Write(ModelProto model, string path) => AtomicFile.Write(path, s => model.WriteTo(s));
}
