using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The AVX-512 implicit-GEMM convolution (<see cref="ConvDirect"/>) against the float64 reference, beside the
/// im2col + GEMM path it replaces (AVX-512 switched off): both must match the reference on the same geometries.
/// These flip a process-wide switch, so they run in the serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvDirectTests
{
    // (N, C, H, W, K, KH, KW, sh, sw, ph, pw, dh, dw, groups) and whether ConvDirect runs forward / input gradient.
    public static TheoryData<int[], bool, bool> Geometries => new()
    {
        { new[] { 2, 6, 9, 13, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true },  // 8 + 3 output channels, 6 inputs
        { new[] { 2, 8, 7, 30, 9, 3, 5, 1, 1, 2, 1, 1, 2, 1 }, true, true },   // wide rows (several 48-wide tiles), dilation in W
        { new[] { 3, 7, 6, 6, 8, 3, 3, 1, 1, 3, 3, 1, 1, 1 }, true, false },   // padding beyond the kernel extent
        { new[] { 2, 6, 4, 2, 8, 3, 3, 1, 1, 3, 3, 3, 3, 1 }, true, true },    // dilated kernel columns wholly outside a row
        { new[] { 1, 16, 12, 12, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1 }, true, true }, // LeNet/CNN-like 5x5
        { new[] { 20, 6, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true },   // many samples per weight-gradient chunk
        { new[] { 2, 6, 6, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, false, true },   // 3 output channels: im2col forward
        { new[] { 2, 2, 4, 2, 3, 3, 3, 1, 1, 3, 3, 3, 3, 1 }, false, false },  // the im2col path with columns wholly outside
        { new[] { 2, 4, 4, 2, 4, 3, 3, 1, 1, 3, 3, 3, 3, 2 }, false, false },  // same, grouped
    };

    private static Conv2dGeometry Make(int[] a) =>
        new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);

    [Theory, MemberData(nameof(Geometries))]
    public void DirectAndIm2colPathsMatchTheReference(int[] geometry, bool direct, bool directBackwardInput)
    {
        var g = Make(geometry);
        if (Gemm.UsesAvx512)
        {
            Assert.Equal(direct, ConvDirect.Applies(g));
            Assert.Equal(directBackwardInput, ConvDirect.AppliesBackwardInput(g));
        }
        ConvolutionTests.CheckAgainstReference<float>(geometry);

        bool saved = Gemm.DisableAvx512;
        Gemm.DisableAvx512 = true;
        try
        {
            Assert.False(ConvDirect.Applies(g) || ConvDirect.AppliesBackwardInput(g));
            ConvolutionTests.CheckAgainstReference<float>(geometry);
        }
        finally { Gemm.DisableAvx512 = saved; }
    }

    [Fact]
    public void DirectPathIsBitIdenticalForAnyThreadCount()
    {
        var g = Make([7, 6, 10, 11, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1]);
        var r = new Random(5);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        float[] x = Rand(g.InputLength), w = Rand(g.WeightLength), b = Rand(g.OutChannels), dy = Rand(g.OutputLength);
        float[][] Run(int threads)
        {
            int keep = Threads.Max;
            Threads.Max = threads;
            try
            {
                float[] y = new float[g.OutputLength], dx = new float[g.InputLength], dw = new float[g.WeightLength];
                Convolution.Conv2dForward<float>(g, x, w, b, y);
                Convolution.Conv2dBackwardInput<float>(g, dy, w, dx, accumulate: false);
                Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
                return [y, dx, dw];
            }
            finally { Threads.Max = keep; }
        }
        var one = Run(1);
        foreach (int t in new[] { 2, 3 })
        {
            var other = Run(t);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], other[i]);
        }
    }
}
