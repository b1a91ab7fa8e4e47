using Nabla.Errors;

namespace Nabla.Distributed;

/// <summary>Open MPI could not be loaded or started; the message says what to install or check.</summary>
public sealed class MpiNotAvailableException : NablaException
{
    /// <summary>Creates the exception.</summary>
    public MpiNotAvailableException(string message) : base(message) { }
}
