namespace Nabla.Errors;

/// <summary>The base of every error Nabla raises on purpose; catch it to handle any of them.</summary>
public class NablaException : Exception
{
    /// <summary>Creates the error with its message.</summary>
    public NablaException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public NablaException(string message, Exception? inner) : base(message, inner) { }
}
