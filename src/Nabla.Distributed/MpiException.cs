using Nabla.Errors;

namespace Nabla.Distributed;

/// <summary>An MPI call returned an error code.</summary>
public sealed class MpiException : NablaException
{
    /// <summary>Creates the exception.</summary>
    public MpiException(string message) : base(message) { }
}
