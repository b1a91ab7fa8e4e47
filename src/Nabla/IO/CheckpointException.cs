using Nabla.Errors;

namespace Nabla.IO;

/// <summary>A checkpoint does not fit the model or is damaged (missing or extra tensors, shape mismatch, checksum mismatch). A failed load leaves the model unchanged.</summary>
public class CheckpointException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public CheckpointException(string message, Exception? inner) : base(message, inner) { }
}
