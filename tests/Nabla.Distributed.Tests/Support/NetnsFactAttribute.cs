using Xunit;

namespace Nabla.Distributed.Tests.Support;

/// <summary>A fact that needs Open MPI, root and iproute2 (network namespaces): skipped without them, except under CI.</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    /// <summary>Skips the test where namespaces cannot be made, except in CI.</summary>
    public NetnsFactAttribute()
    {
        if (MpiTools.NetnsMissing.Value is { } why && Environment.GetEnvironmentVariable("CI") is null or "") Skip = why;
    }
}
