using Google.Protobuf;
using Nabla.NN;
using Nabla.Onnx.Export;
using Nabla.Onnx.Format;

namespace Nabla.Onnx;

public static partial class Onnx
{
    /// <summary>
    /// Writes <paramref name="model"/> as an ONNX file that ONNX Runtime and other ONNX consumers run: IR version 8, the
    /// default domain at <paramref name="opset"/>, producer "nabla". The graph's input is <c>input</c> of shape
    /// [batch, …<paramref name="inputShape"/>] with a symbolic batch axis (and a symbolic time axis for a recurrent model
    /// fed [T, F] or token ids [T]); its output is <c>output</c>. Parameters and buffers (batch-norm running statistics)
    /// become initializers named as <see cref="Module.NamedParameters"/> and <see cref="Module.NamedBuffers"/> name them.
    /// The graph computes the model in evaluation mode (dropout off, batch norm with its running statistics); the model
    /// itself is not changed, and its training or evaluation mode is the same afterwards. The file is written atomically.
    /// </summary>
    /// <param name="model">The model; every layer must be of an exportable type (see docs/onnx.md).</param>
    /// <param name="inputShape">The shape of one sample without the batch axis, e.g. [1, 28, 28] for MNIST images, [784] for a flat vector, [28, 28] for 28 steps of 28 features.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="opset">The opset of the default ONNX domain, 13 to 17 (default <see cref="DefaultOpset"/>).</param>
    /// <exception cref="OnnxException">An unsupported opset, a layer that cannot be exported (the message names its path and type),
    /// an input shape the model does not take, or a file that cannot be written.</exception>
    public static void Export(Module model, int[] inputShape, string path, int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = ModelExporter.Build(model, inputShape, opset);
        try { OnnxFile.Write(proto, path); }
        catch (IOException e) { throw new OnnxException($"Onnx.Export: cannot write the ONNX file '{path}': {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new OnnxException($"Onnx.Export: cannot write the ONNX file '{path}': {e.Message}", e); }
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="stream"/>; see <see cref="Export(Module, int[], string, int)"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">The shape of one sample without the batch axis.</param>
    /// <param name="stream">The stream the serialized <c>ModelProto</c> is written to.</param>
    /// <param name="opset">The opset, 13 to 17.</param>
    public static void Export(Module model, int[] inputShape, Stream stream, int opset = DefaultOpset)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelExporter.Build(model, inputShape, opset).WriteTo(stream);
    }

    /// <summary>The ONNX model of <paramref name="model"/> as bytes (a serialized <c>ModelProto</c>); see <see cref="Export(Module, int[], string, int)"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">The shape of one sample without the batch axis.</param>
    /// <param name="opset">The opset, 13 to 17.</param>
    public static byte[] ExportToBytes(Module model, int[] inputShape, int opset = DefaultOpset) =>
        ModelExporter.Build(model, inputShape, opset).ToByteArray();
}
