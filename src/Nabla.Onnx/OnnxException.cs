using Nabla.Errors;

namespace Nabla.Onnx;

/// <summary>
/// An ONNX file that cannot be read, or a model that cannot be written as ONNX. The message names the file, and where it
/// applies the node, operator, opset or layer, with the expected and the actual value.
/// </summary>
public class OnnxException : NablaException
{
    /// <summary>Creates the exception with its message.</summary>
    public OnnxException(string message) : base(message) { }

    /// <summary>Creates the exception with its message and the error underneath.</summary>
    public OnnxException(string message, Exception? inner) : base(message, inner) { }
}
