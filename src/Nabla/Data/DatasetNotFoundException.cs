using Nabla.Errors;

namespace Nabla.Data;

/// <summary>A dataset's files were not found; the message lists the places searched and says how to obtain the data.</summary>
public class DatasetNotFoundException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public DatasetNotFoundException(string message) : base(message) { }
}
