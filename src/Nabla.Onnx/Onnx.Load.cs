using Google.Protobuf;
using Nabla.Onnx.Format;
using Nabla.Onnx.Import;
using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx;

public static partial class Onnx
{
    /// <summary>
    /// Loads the ONNX model at <paramref name="path"/> (ai.onnx opsets 7 to 17; external data next to the file) as a module
    /// that evaluates and trains. It starts in evaluation mode.
    /// </summary>
    /// <exception cref="OnnxUnsupportedException">The model is valid ONNX but uses an operator, attribute value, element type,
    /// domain or opset Nabla does not import; the message names the node, operator and opset.</exception>
    /// <exception cref="OnnxException">The file is missing, truncated or not ONNX, or the graph is invalid (a value nothing
    /// produces, a cycle, initializer data that disagrees with its shape, a missing external-data file).</exception>
    public static OnnxModule Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var model = OnnxFile.Read(path);
        return new OnnxModule(GraphLoader.Load(model, path, Path.GetDirectoryName(Path.GetFullPath(path))));
    }

    /// <summary>
    /// Loads an ONNX model from its bytes. Tensors stored in external files are read from <paramref name="modelDirectory"/>
    /// (without one, a model with external data is refused).
    /// </summary>
    public static OnnxModule Load(byte[] bytes, string? modelDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Load(new MemoryStream(bytes, writable: false), modelDirectory);
    }

    /// <summary>Loads an ONNX model from a stream (read to its end); see <see cref="Load(byte[], string?)"/>.</summary>
    public static OnnxModule Load(Stream stream, string? modelDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        const string where = "ONNX stream";
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(stream); }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxException($"{where} is not a valid ONNX model (truncated or not protobuf): {e.Message}", e);
        }
        if (model.Graph is null || model.IrVersion <= 0)
            throw new OnnxException($"{where} is not an ONNX model (no graph or no IR version).");
        return new OnnxModule(GraphLoader.Load(model, where, modelDirectory));
    }
}
