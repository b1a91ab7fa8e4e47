using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The 128-bit Winograd F(3×3, 2×2) weight gradient (<see cref="ConvWinogradWeight128"/>): against the float64 reference
/// and tolerance of <see cref="ConvWinogradTests"/> (into zeros and accumulated), exact on small integers, bit-identical
/// across thread counts, and which geometries select it. The portable path is forced with <see cref="Gemm.ForceFallback"/>,
/// so these run on AVX2 machines too (and do nothing where Vector128 is not hardware accelerated). They flip
/// process-wide switches, so they run in the serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvWinogradWeight128Tests
{
    [Theory, MemberData(nameof(ConvWinogradTests.Shapes), MemberType = typeof(ConvWinogradTests))]
    public void MatchesTheReference(int n, int c, int k, int h, int w, int pad)
    {
        bool savedFallback = Gemm.ForceFallback, savedForce = ConvWinograd128.Force;
        try
        {
            Gemm.ForceFallback = true;
            ConvWinograd128.Force = true;
            var g = new Conv2dGeometry(n, c, h, w, k, 3, 3, padH: pad, padW: pad);
            if (!ConvWinogradWeight128.Applies(g)) return; // no 128-bit acceleration: Winograd never runs
            var r = new Random(n * 1000 + c * 37 + k);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), dy = Rand(g.OutputLength), dw0 = Rand(g.WeightLength);

            // Into zeros, and accumulated into a non-zero dw.
            var (dwRef, dwScale) = ConvWinogradTests.WeightReference(g, x, dy);
            var dw = new float[g.WeightLength];
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            ConvWinogradTests.Close(dwRef, dwScale, _ => 0, dw, "dWeight");
            dw = (float[])dw0.Clone();
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            ConvWinogradTests.Close(dwRef, dwScale, i => dw0[i], dw, "dWeight accumulated");
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            ConvWinograd128.Force = savedForce;
        }
    }

    // One tile, integer values: every intermediate is exact, so the kernel's transforms must give the exact correlation.
    [Theory]
    [InlineData(4, 4, 0)] // one whole tile
    [InlineData(3, 5, 1)] // a partial tile row: dy zero-extended, x zero past the padding
    public void TinyIntegerCaseIsExact(int h, int w, int pad)
    {
        bool savedFallback = Gemm.ForceFallback, savedForce = ConvWinograd128.Force;
        try
        {
            Gemm.ForceFallback = true;
            ConvWinograd128.Force = true;
            var g = new Conv2dGeometry(1, 1, h, w, 1, 3, 3, padH: pad, padW: pad);
            if (!ConvWinogradWeight128.Applies(g)) return;
            var r = new Random(h * 10 + w);
            float[] x = Enumerable.Range(0, g.InputLength).Select(_ => (float)r.Next(-9, 10)).ToArray();
            float[] dy = Enumerable.Range(0, g.OutputLength).Select(_ => (float)r.Next(-9, 10)).ToArray();
            var dw = new float[9];
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            var expected = new double[9];
            ConvolutionTests.ForEachTerm(g, (o, xi, wi) => expected[wi] += (double)x[xi] * dy[o]);
            Assert.Equal(expected, dw.Select(v => (double)v).ToArray());
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            ConvWinograd128.Force = savedForce;
        }
    }

    [Theory]
    [InlineData(9, 32, 64, 26, 26, 0)] // CNN conv2
    [InlineData(7, 16, 32, 28, 28, 1)] // CompactBNCNN conv2
    [InlineData(64, 32, 32, 14, 14, 1)] // CompactBNCNN conv3: 8 chunks of 8
    [InlineData(4, 17, 33, 13, 15, 2)] // partial channel blocks, odd sizes
    public void IsBitIdenticalAcrossThreadCounts(int n, int c, int k, int h, int w, int pad)
    {
        bool savedFallback = Gemm.ForceFallback;
        int keep = Threads.Max;
        try
        {
            Gemm.ForceFallback = true;
            var g = new Conv2dGeometry(n, c, h, w, k, 3, 3, padH: pad, padW: pad);
            if (!ConvWinogradWeight128.Applies(g)) return;
            var r = new Random(5);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), dy = Rand(g.OutputLength), dw0 = Rand(g.WeightLength);
            float[] Run(int threads)
            {
                Threads.Max = threads;
                float[] dw = (float[])dw0.Clone();
                Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
                return dw;
            }
            var one = Run(1);
            foreach (int t in new[] { 2, 3 }) Assert.Equal(one, Run(t));
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            Threads.Max = keep;
        }
    }

    [Theory]
    [InlineData(64, 32, 26, 64, 3, 1, 0, 1, 1, true)]    // CNN conv2
    [InlineData(64, 16, 28, 32, 3, 1, 1, 1, 1, true)]    // CompactBNCNN conv2
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 1, true)]    // CompactBNCNN conv3
    [InlineData(64, 32, 14, 64, 3, 1, 1, 1, 1, true)]    // CompactBNCNN conv4
    [InlineData(64, 1, 28, 32, 3, 1, 0, 1, 1, false)]    // CNN conv1: one input channel
    [InlineData(64, 3, 28, 16, 3, 1, 1, 1, 1, false)]    // 3 input channels: not faster
    [InlineData(64, 4, 28, 16, 3, 1, 1, 1, 1, true)]     // 4 input channels: the threshold
    [InlineData(64, 16, 28, 1, 3, 1, 1, 1, 1, true)]     // one output channel: still faster
    [InlineData(64, 6, 14, 16, 5, 1, 0, 1, 1, false)]    // LeNet conv2: 5x5
    [InlineData(64, 32, 14, 32, 3, 2, 1, 1, 1, false)]   // stride 2
    [InlineData(64, 32, 14, 32, 3, 1, 2, 2, 1, false)]   // dilation 2
    [InlineData(64, 32, 14, 32, 3, 1, 3, 1, 1, false)]   // padding 3
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 2, false)]   // groups 2
    public void SelectsTheGeometries(int n, int c, int hw, int k, int f, int stride, int pad, int dilation, int groups, bool selected)
    {
        bool savedFallback = Gemm.ForceFallback, savedDirect = ConvDirect.Disable;
        try
        {
            var g = new Conv2dGeometry(n, c, hw, hw, k, f, f, stride, stride, pad, pad, dilation, dilation, groups);
            if (Gemm.UsesAvx2) Assert.False(ConvWinogradWeight128.Applies(g)); // AVX2 runs its own Winograd
            Gemm.ForceFallback = true;
            if (!System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            {
                Assert.False(ConvWinogradWeight128.Applies(g));
                return;
            }
            Assert.Equal(selected, ConvWinogradWeight128.Applies(g));
            Assert.False(ConvWinogradAvx2.AppliesBackwardWeight(g));
            ConvWinograd128.Disable = true;
            Assert.False(ConvWinogradWeight128.Applies(g));
            ConvWinograd128.Disable = false;
            ConvDirect.Disable = true; // im2col everywhere
            Assert.False(ConvWinogradWeight128.Applies(g));
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            ConvDirect.Disable = savedDirect;
            ConvWinograd128.Disable = false;
        }
    }
}
