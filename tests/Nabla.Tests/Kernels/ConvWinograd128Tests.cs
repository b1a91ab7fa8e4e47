using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The 128-bit Winograd F(2×2, 3×3) (<see cref="ConvWinograd128"/>), forward and input gradient: against the float64
/// reference and tolerance of <see cref="ConvWinogradTests"/>, bit-identical across thread counts, and which geometries
/// select it. The portable path is forced with <see cref="Gemm.ForceFallback"/>, so these run on AVX2 machines too
/// (and do nothing where Vector128 is not hardware accelerated). They flip process-wide switches, so they run in the
/// serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvWinograd128Tests
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
            if (!ConvWinograd128.Applies(g)) return; // no 128-bit acceleration: Winograd never runs
            Assert.True(ConvWinograd128.AppliesBackwardInput(g));
            var r = new Random(n * 1000 + c * 37 + k);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), wt = Rand(g.WeightLength), b = Rand(k), dy = Rand(g.OutputLength), dx0 = Rand(g.InputLength);

            // Forward with and without bias, over stale (NaN) outputs.
            var (yRef, yScale) = ConvWinogradTests.Reference(g, x, wt, dy, forward: true);
            var y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
            Convolution.Conv2dForward<float>(g, x, wt, b, y);
            ConvWinogradTests.Close(yRef, yScale, i => b[i / (g.OutHeight * g.OutWidth) % k], y, "forward+bias");
            Array.Fill(y, float.NaN);
            Convolution.Conv2dForward<float>(g, x, wt, ReadOnlySpan<float>.Empty, y);
            ConvWinogradTests.Close(yRef, yScale, _ => 0, y, "forward");

            // Input gradient, overwriting (NaN) and accumulating.
            var (dxRef, dxScale) = ConvWinogradTests.Reference(g, x, wt, dy, forward: false);
            var dx = Enumerable.Repeat(float.NaN, g.InputLength).ToArray();
            Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: false);
            ConvWinogradTests.Close(dxRef, dxScale, _ => 0, dx, "dInput");
            dx = (float[])dx0.Clone();
            Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: true);
            ConvWinogradTests.Close(dxRef, dxScale, i => dx0[i], dx, "dInput accumulated");
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
    [InlineData(4, 17, 33, 13, 15, 2)] // partial channel blocks, odd sizes
    public void IsBitIdenticalAcrossThreadCounts(int n, int c, int k, int h, int w, int pad)
    {
        bool savedFallback = Gemm.ForceFallback;
        int keep = Threads.Max;
        try
        {
            Gemm.ForceFallback = true;
            var g = new Conv2dGeometry(n, c, h, w, k, 3, 3, padH: pad, padW: pad);
            if (!ConvWinograd128.Applies(g)) return;
            Assert.True(ConvWinograd128.AppliesBackwardInput(g));
            var r = new Random(5);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), wt = Rand(g.WeightLength), b = Rand(k), dy = Rand(g.OutputLength), dx0 = Rand(g.InputLength);
            (float[] Y, float[] Dx) Run(int threads)
            {
                Threads.Max = threads;
                float[] y = new float[g.OutputLength], dx = (float[])dx0.Clone();
                Convolution.Conv2dForward<float>(g, x, wt, b, y);
                Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: true);
                return (y, dx);
            }
            var one = Run(1);
            foreach (int t in new[] { 2, 3 })
            {
                var other = Run(t);
                Assert.Equal(one.Y, other.Y);
                Assert.Equal(one.Dx, other.Dx);
            }
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            Threads.Max = keep;
        }
    }

    [Theory]
    [InlineData(64, 32, 26, 64, 3, 1, 0, 1, 1, true, true)]    // CNN conv2
    [InlineData(64, 16, 28, 32, 3, 1, 1, 1, 1, true, true)]    // CompactBNCNN conv2
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 1, true, true)]    // CompactBNCNN conv3
    [InlineData(64, 32, 14, 64, 3, 1, 1, 1, 1, true, true)]    // CompactBNCNN conv4
    [InlineData(64, 1, 28, 32, 3, 1, 0, 1, 1, false, false)]   // CNN conv1: one input channel
    [InlineData(64, 8, 28, 32, 3, 1, 1, 1, 1, true, true)]     // 8 input channels: still faster
    [InlineData(64, 32, 28, 8, 3, 1, 1, 1, 1, true, true)]     // 8 output channels: still faster
    [InlineData(64, 6, 28, 6, 3, 1, 1, 1, 1, true, true)]      // 6 each way: the threshold
    [InlineData(64, 4, 28, 16, 3, 1, 1, 1, 1, false, false)]   // 4 input channels: not faster
    [InlineData(64, 16, 28, 4, 3, 1, 1, 1, 1, false, false)]   // 4 output channels: not faster
    [InlineData(64, 6, 14, 16, 5, 1, 0, 1, 1, false, false)]   // LeNet conv2: 5x5
    [InlineData(64, 32, 14, 32, 3, 2, 1, 1, 1, false, false)]  // stride 2
    [InlineData(64, 32, 14, 32, 3, 1, 2, 2, 1, false, false)]  // dilation 2
    [InlineData(64, 32, 14, 32, 3, 1, 3, 1, 1, false, false)]  // padding 3
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 2, false, false)]  // groups 2
    public void SelectsTheGeometries(int n, int c, int hw, int k, int f, int stride, int pad, int dilation, int groups,
        bool forward, bool backwardInput)
    {
        bool savedFallback = Gemm.ForceFallback, savedDirect = ConvDirect.Disable;
        try
        {
            var g = new Conv2dGeometry(n, c, hw, hw, k, f, f, stride, stride, pad, pad, dilation, dilation, groups);
            bool Any() => ConvWinograd128.Applies(g) || ConvWinograd128.AppliesBackwardInput(g);
            if (Gemm.UsesAvx2) Assert.False(Any()); // AVX2 runs its own Winograd
            Gemm.ForceFallback = true;
            if (!System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            {
                Assert.False(Any());
                return;
            }
            Assert.Equal(forward, ConvWinograd128.Applies(g));
            Assert.Equal(backwardInput, ConvWinograd128.AppliesBackwardInput(g));
            Assert.False(ConvWinogradAvx2.Applies(g) || ConvWinogradAvx2.AppliesBackwardInput(g));
            ConvWinograd128.Disable = true;
            Assert.False(Any());
            ConvWinograd128.Disable = false;
            ConvDirect.Disable = true; // im2col everywhere
            Assert.False(Any());
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            ConvDirect.Disable = savedDirect;
            ConvWinograd128.Disable = false;
        }
    }
}
