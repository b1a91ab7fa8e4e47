namespace Nabla.Errors;

/// <summary>
/// A file or stream is not in the format it claims (truncated, wrong magic number, wrong element type,
/// absurd declared sizes, malformed header). The message names the file and what was expected versus found.
/// </summary>
public class DataFormatException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates the error with its message and cause.</summary>
    public DataFormatException(string message, Exception? inner) : base(message, inner) { }
}
