using Nabla.Errors;

namespace Nabla.Data;

/// <summary>
/// A data file did not have the expected format: a wrong magic number, an unsupported element type, a header
/// that declares more data than the file holds, a non-numeric CSV cell. The message names the file and says
/// what was expected and what was found, e.g.
/// <c>train-images-idx3-ubyte.gz: magic 0x00000803 expected, found 0x00000801</c>.
/// </summary>
public class DataFormatException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it (e.g. a corrupt gzip stream).</summary>
    public DataFormatException(string message, Exception? inner) : base(message, inner) { }
}
