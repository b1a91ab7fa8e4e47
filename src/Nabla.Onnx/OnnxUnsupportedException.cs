namespace Nabla.Onnx;

/// <summary>
/// A valid ONNX model that Nabla cannot import: an operator, attribute value, element type, domain or opset outside what
/// <c>Onnx.Load</c> supports. The message names the node (name or index), the operator, the opset and what is unsupported.
/// Other load errors (a corrupt file, a graph that is not valid ONNX) are plain <see cref="OnnxException"/>s.
/// </summary>
public class OnnxUnsupportedException : OnnxException
{
    /// <summary>Creates the exception with its message.</summary>
    public OnnxUnsupportedException(string message) : base(message) { }
}
