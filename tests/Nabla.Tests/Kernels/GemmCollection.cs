using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>GEMM tests flip process-wide switches (fallback path, thread count): they run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class GemmCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Gemm (serial)";
}
