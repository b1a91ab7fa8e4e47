using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The AVX2 row-vector forward tile (<see cref="ConvRowsAvx2"/>): against the float64 reference, bit for bit against
/// the tiles it replaces (same fused tap order) and across thread counts, and which shapes select it. Runs with
/// AVX-512 disabled and does nothing without AVX2 (the tile is never used there). These flip process-wide switches,
/// so they run in the serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvRowsTests
{
    // (N, C, H, W, K, KH, KW, pad): few output channels, widths a multiple of 8 or not, 3x3 and 5x5.
    public static TheoryData<int, int, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, int, int, int>();
        int[][] sizes = [[5, 28, 2], [1, 13, 1], [5, 32, 0], [1, 28, 1], [5, 13, 2], [1, 32, 1]]; // (N, W, pad)
        int i = 0;
        foreach (int k in new[] { 1, 2, 3, 5, 6, 7 })
            foreach (int c in new[] { 1, 3 })
                foreach (int f in new[] { 3, 5 })
                {
                    var s = sizes[i++ % sizes.Length];
                    data.Add(s[0], c, s[1] - 3, s[1], k, f, s[2]); // H = W − 3: rectangular images
                }
        return data;
    }

    private static Conv2dGeometry Make(int n, int c, int h, int w, int k, int f, int pad) =>
        new(n, c, h, w, k, f, f, padH: pad, padW: pad);

    [Theory, MemberData(nameof(Shapes))]
    public void MatchesTheReferenceAndTheOtherTiles(int n, int c, int h, int w, int k, int f, int pad)
    {
        bool savedAvx512 = Gemm.DisableAvx512, savedRows = ConvDirect.DisableRowVectors, savedForce = ConvDirect.ForceRowVectors;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return;
            var g = Make(n, c, h, w, k, f, pad);
            ConvDirect.ForceRowVectors = true; // some of these cost less on another tile
            Assert.True(ConvDirect.RowVectorsForward(g) && ConvDirect.Applies(g));
            ConvolutionTests.CheckAgainstReference<float>([n, c, h, w, k, f, f, 1, 1, pad, pad, 1, 1, 1]);
            var rows = Forward(g, 1);
            Assert.Equal(rows, Forward(g, 2));
            Assert.Equal(rows, Forward(g, 3));
            if (k >= 3)
            {
                // The channel-rows / pixel-rows tiles sum in the same fused tap order.
                ConvDirect.ForceRowVectors = false;
                ConvDirect.DisableRowVectors = true;
                Assert.False(ConvDirect.RowVectorsForward(g));
                Assert.Equal(rows, Forward(g, 2));
            }
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            ConvDirect.DisableRowVectors = savedRows;
            ConvDirect.ForceRowVectors = savedForce;
        }
    }

    [Theory]
    [InlineData(64, 1, 28, 6, 5, 2, true)]    // LeNet-5 conv1
    [InlineData(64, 6, 14, 16, 5, 0, false)]  // LeNet-5 conv2: pixel rows waste less
    [InlineData(64, 1, 28, 32, 3, 0, true)]   // CNN conv1 (1 -> 32): the same multiply-adds as channel rows, no output copy
    [InlineData(64, 32, 26, 64, 3, 0, false)] // CNN conv2 (32 -> 64): pixel rows
    [InlineData(8, 3, 32, 16, 3, 1, true)]    // 3 -> 16 with 27 taps: channel rows would compute 18 rows and copy
    [InlineData(4, 1, 9, 6, 3, 0, false)]     // 7-wide rows on 7 rows: the last tile's padding costs more than the copy
    public void SelectsTheTileByCost(int n, int c, int hw, int k, int f, int pad, bool expected)
    {
        bool savedAvx512 = Gemm.DisableAvx512;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return;
            Assert.Equal(expected, ConvDirect.RowVectorsForward(Make(n, c, hw, hw, k, f, pad)));
            Assert.False(ConvDirect.RowVectorsForward(new Conv2dGeometry(n, c, hw, hw, k, f, f, 2, 2, pad, pad)));
        }
        finally { Gemm.DisableAvx512 = savedAvx512; }
    }

    [Fact]
    public void NotUsedWithoutAvx2OrWithAvx512()
    {
        bool savedAvx512 = Gemm.DisableAvx512, savedFallback = Gemm.ForceFallback;
        try
        {
            var g = Make(4, 1, 28, 28, 6, 5, 2);
            Gemm.ForceFallback = true;
            Assert.False(ConvDirect.RowVectorsForward(g));
            ConvolutionTests.CheckAgainstReference<float>([4, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1]);
            Gemm.ForceFallback = savedFallback;
            Gemm.DisableAvx512 = false;
            if (Gemm.UsesAvx512) Assert.False(ConvDirect.RowVectorsForward(g));
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            Gemm.ForceFallback = savedFallback;
        }
    }

    private static float[] Forward(Conv2dGeometry g, int threads)
    {
        var r = new Random(11);
        float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        float[] x = Rand(g.InputLength), w = Rand(g.WeightLength), b = Rand(g.OutChannels);
        float[] y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
        int keep = Threads.Max;
        Threads.Max = threads;
        try { Convolution.Conv2dForward<float>(g, x, w, b, y); }
        finally { Threads.Max = keep; }
        return y;
    }
}
