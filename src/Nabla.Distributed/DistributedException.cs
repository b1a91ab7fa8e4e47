using Nabla.Errors;

namespace Nabla.Distributed;

/// <summary>The ranks of a data-parallel job disagree (model, data, weights) or one of them failed; the message names the rank.</summary>
public sealed class DistributedException : NablaException
{
    /// <summary>Creates the exception.</summary>
    public DistributedException(string message) : base(message) { }
}
