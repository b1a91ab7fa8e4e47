using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Tensors;

public class GeneratorTests
{
    // xoshiro256** (Blackman & Vigna) seeded with four SplitMix64 outputs from 42, computed by an independent
    // implementation of the published algorithm (Python integers): a property of the algorithm, not of the platform.
    private static readonly ulong[] Seed42 = [0x15780b2e0c2ec716, 0x6104d9866d113a7e, 0xae17533239e499a1, 0xecb8ad4703b360a1, 0xfde6dc7fe2ec5e64];

    [Fact]
    public void Xoshiro256StarStarStreamMatchesTheReference()
    {
        var g = new Generator(42);
        Assert.Equal(Seed42, Enumerable.Range(0, 5).Select(_ => g.NextUInt64()).ToArray());
    }

    [Fact]
    public void FillGivesTheNumbersNextDoubleWouldAndLeavesTheSameState()
    {
        // The top 53 bits of each draw over 2^53: 0.08386297105988216 for the first (the reference's value).
        var bulk = new double[1001];
        var a = new Generator(42);
        a.Fill(bulk);
        Assert.Equal(0.08386297105988216, bulk[0]);
        Assert.Equal(0.9918039142821028, bulk[4]);
        var b = new Generator(42);
        for (int i = 0; i < bulk.Length; i++) Assert.Equal(b.NextDouble(), bulk[i]);
        Assert.Equal(b.GetState(), a.GetState());
        Assert.Equal(b.NextUInt64(), a.NextUInt64());
    }
}
