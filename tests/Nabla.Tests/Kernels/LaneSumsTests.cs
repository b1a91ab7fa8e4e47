using System.Numerics;
using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// <see cref="LaneSums"/>: the horizontal-add paths (AVX, SSE3, Arm64, whichever this machine runs) give exactly the
/// pairwise tree written out by hand, one vector or four at a time.
/// </summary>
public unsafe class LaneSumsTests
{
    [Fact]
    public void OneVectorIsThePairwiseTree()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            var lanes = Lanes(rng);
            var sum = LaneSums.One(new Vector<float>(lanes));
            Assert.Equal(BitConverter.SingleToInt32Bits(ByHand(lanes)), BitConverter.SingleToInt32Bits(sum));
        }
    }

    [Fact]
    public void FourVectorsGiveEachVectorsSum()
    {
        var rng = new Random(4);
        float* sums = stackalloc float[4];
        for (int trial = 0; trial < 200; trial++)
        {
            var v = new float[4][];
            for (int i = 0; i < 4; i++) v[i] = Lanes(rng);
            LaneSums.Four(new Vector<float>(v[0]), new Vector<float>(v[1]), new Vector<float>(v[2]), new Vector<float>(v[3]), sums);
            for (int i = 0; i < 4; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(ByHand(v[i])), BitConverter.SingleToInt32Bits(sums[i]));
        }
    }

    [Fact]
    public void DoublesUseTheSameTree()
    {
        var d = Enumerable.Range(0, Vector<double>.Count).Select(i => 1.0 / (3 + i) * (i % 2 == 0 ? 1e8 : 1)).ToArray();
        double expected = Vector<double>.Count switch
        {
            2 => d[0] + d[1],
            4 => (d[0] + d[1]) + (d[2] + d[3]),
            8 => ((d[0] + d[1]) + (d[2] + d[3])) + ((d[4] + d[5]) + (d[6] + d[7])),
            _ => throw new NotSupportedException(),
        };
        Assert.Equal(expected, LaneSums.One(new Vector<double>(d)));
    }

    // Values of very different sizes, so that a different order of additions gives a different float.
    private static float[] Lanes(Random rng) =>
        Enumerable.Range(0, Vector<float>.Count).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 6)))).ToArray();

    private static float ByHand(float[] v) => v.Length switch
    {
        4 => (v[0] + v[1]) + (v[2] + v[3]),
        8 => ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])),
        16 => (((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])))
            + (((v[8] + v[9]) + (v[10] + v[11])) + ((v[12] + v[13]) + (v[14] + v[15]))),
        _ => throw new NotSupportedException($"{v.Length} lanes"),
    };
}
