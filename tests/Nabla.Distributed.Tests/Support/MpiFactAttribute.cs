using Xunit;

namespace Nabla.Distributed.Tests.Support;

/// <summary>A fact that needs Open MPI: skipped on a developer machine without it, run (and failing) under CI.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    /// <summary>Skips the test where Open MPI is missing, except in CI.</summary>
    public MpiFactAttribute()
    {
        if (MpiTools.MpiMissing.Value is { } why && Environment.GetEnvironmentVariable("CI") is null or "") Skip = why;
    }
}
