namespace Nabla.Errors;

/// <summary>
/// A tensor had the wrong shape for an operation or layer. The message names the operation or layer
/// and both the expected and the actual shape, e.g. <c>matmul: [64,784] x [100,10]: inner dimensions 784 and 100 differ</c>.
/// </summary>
public class ShapeException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public ShapeException(string message) : base(message) { }
}
