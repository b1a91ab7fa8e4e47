using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) (<see cref="ConvWinogradAvx2"/>), forward and input gradient, and F(3×3, 2×2) for the weight
/// gradient (<see cref="ConvWinogradWeightAvx2"/>): against a float64 reference within 1e-6 · (Σ|w| over the reduction
/// + |bias or accumulated value|), for the weight gradient 1e-6 · (Σ|dy| over the reduction · max|x| + |accumulated
/// value|), inputs within ±1 (measured at most 1.7e-7 forward and input gradient, 2.6e-7 weight gradient;
/// Σ|terms| is no bound for Winograd, whose transforms of the inputs and kernels are rounded before the products and
/// are large where the terms cancel), bit-identical across thread counts, and which geometries select it. Runs with
/// AVX-512 disabled and does nothing without AVX2/FMA (Winograd never runs there). These flip process-wide switches, so
/// they run in the serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvWinogradTests
{
    private const double Tolerance = 1e-6;

    // (N, C, K, H, W, pad): channel counts below, at and past the 6-row / 8-lane / 16-channel blocks; odd and even sizes
    // (a partial last tile row and column); padding 0, 1 and 2 (the input gradient then pads by 2, 1 and 0); 1, 3 and 9
    // samples (the weight gradient sums 9 in chunks of 2, the last of 1); 26 × 26 and 14 × 14 have more tiles than one
    // block of the weight gradient.
    public static TheoryData<int, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, int, int>();
        int[][] sizes = [[5, 5], [6, 7], [13, 13], [14, 14], [7, 6], [26, 26], [3, 4]];
        int[] batches = [1, 3, 9];
        int i = 0;
        foreach (int c in new[] { 1, 2, 3, 8, 16, 17, 32 })
            foreach (int k in new[] { 1, 3, 6, 8, 16, 17, 32 })
            {
                var s = sizes[i % sizes.Length];
                if (s[0] == 26 && c * k > 256) s = sizes[3]; // keep the float64 reference quick
                data.Add(batches[i % 3], c, k, s[0], s[1], i % 3);
                i++;
            }
        return data;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void MatchesTheReference(int n, int c, int k, int h, int w, int pad)
    {
        bool savedAvx512 = Gemm.DisableAvx512, savedForce = ConvWinogradAvx2.Force;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return; // no AVX2/FMA: Winograd never runs
            ConvWinogradAvx2.Force = true;
            var g = new Conv2dGeometry(n, c, h, w, k, 3, 3, padH: pad, padW: pad);
            Assert.True(ConvWinogradAvx2.Applies(g) && ConvWinogradAvx2.AppliesBackwardInput(g) && ConvWinogradAvx2.AppliesBackwardWeight(g));
            var r = new Random(n * 1000 + c * 37 + k);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), wt = Rand(g.WeightLength), b = Rand(k), dy = Rand(g.OutputLength), dx0 = Rand(g.InputLength);

            // Forward with and without bias, over stale (NaN) outputs.
            var (yRef, yScale) = Reference(g, x, wt, dy, forward: true);
            var y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
            Convolution.Conv2dForward<float>(g, x, wt, b, y);
            Close(yRef, yScale, i => b[i / (g.OutHeight * g.OutWidth) % k], y, "forward+bias");
            Array.Fill(y, float.NaN);
            Convolution.Conv2dForward<float>(g, x, wt, ReadOnlySpan<float>.Empty, y);
            Close(yRef, yScale, _ => 0, y, "forward");

            // Input gradient, overwriting (NaN) and accumulating.
            var (dxRef, dxScale) = Reference(g, x, wt, dy, forward: false);
            var dx = Enumerable.Repeat(float.NaN, g.InputLength).ToArray();
            Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: false);
            Close(dxRef, dxScale, _ => 0, dx, "dInput");
            dx = (float[])dx0.Clone();
            Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: true);
            Close(dxRef, dxScale, i => dx0[i], dx, "dInput accumulated");

            // Weight gradient, into zeros and accumulated into a non-zero dw (wt as the old value).
            var (dwRef, dwScale) = WeightReference(g, x, dy);
            var dw = new float[g.WeightLength];
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            Close(dwRef, dwScale, _ => 0, dw, "dWeight");
            dw = (float[])wt.Clone();
            Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
            Close(dwRef, dwScale, i => wt[i], dw, "dWeight accumulated");
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            ConvWinogradAvx2.Force = savedForce;
        }
    }

    [Theory]
    [InlineData(9, 32, 64, 26, 26, 0)] // CNN conv2 (the weight gradient in chunks of 2 samples, the last of 1)
    [InlineData(7, 16, 32, 28, 28, 1)] // CompactBNCNN conv2
    [InlineData(4, 17, 33, 13, 15, 2)] // partial channel blocks, odd sizes
    public void IsBitIdenticalAcrossThreadCounts(int n, int c, int k, int h, int w, int pad)
    {
        bool savedAvx512 = Gemm.DisableAvx512;
        int keep = Threads.Max;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return;
            var g = new Conv2dGeometry(n, c, h, w, k, 3, 3, padH: pad, padW: pad);
            Assert.True(ConvWinogradAvx2.Applies(g) && ConvWinogradAvx2.AppliesBackwardInput(g) && ConvWinogradAvx2.AppliesBackwardWeight(g));
            var r = new Random(5);
            float[] Rand(int len) => Enumerable.Range(0, len).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), wt = Rand(g.WeightLength), b = Rand(k), dy = Rand(g.OutputLength), dx0 = Rand(g.InputLength);
            (float[] Y, float[] Dx, float[] Dw) Run(int threads)
            {
                Threads.Max = threads;
                float[] y = new float[g.OutputLength], dx = (float[])dx0.Clone(), dw = (float[])wt.Clone();
                Convolution.Conv2dForward<float>(g, x, wt, b, y);
                Convolution.Conv2dBackwardInput<float>(g, dy, wt, dx, accumulate: true);
                Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, Span<float>.Empty);
                return (y, dx, dw);
            }
            var one = Run(1);
            foreach (int t in new[] { 2, 3 })
            {
                var other = Run(t);
                Assert.Equal(one.Y, other.Y);
                Assert.Equal(one.Dx, other.Dx);
                Assert.Equal(one.Dw, other.Dw);
            }
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            Threads.Max = keep;
        }
    }

    [Theory]
    [InlineData(64, 32, 26, 64, 3, 1, 0, 1, 1, true, true, true)]    // CNN conv2; its input gradient pads dy by 2
    [InlineData(64, 16, 28, 32, 3, 1, 1, 1, 1, true, true, true)]    // CompactBNCNN conv2
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 1, true, true, true)]    // CompactBNCNN conv3
    [InlineData(64, 32, 14, 64, 3, 1, 1, 1, 1, true, true, true)]    // CompactBNCNN conv4
    [InlineData(64, 32, 14, 16, 3, 1, 1, 1, 1, true, true, false)]   // 16 output channels: the weight gradient is not faster
    [InlineData(64, 1, 28, 32, 3, 1, 0, 1, 1, false, false, false)]  // CNN conv1: one input channel
    [InlineData(64, 8, 28, 16, 3, 1, 1, 1, 1, false, false, false)]  // 8 input channels: not faster
    [InlineData(64, 8, 28, 64, 3, 1, 1, 1, 1, false, false, false)]  // 8 input channels, many outputs: still not
    [InlineData(64, 16, 28, 8, 3, 1, 1, 1, 1, false, false, false)]  // 8 output channels
    [InlineData(64, 6, 14, 16, 5, 1, 0, 1, 1, false, false, false)]  // LeNet conv2: 5x5
    [InlineData(64, 32, 14, 32, 3, 2, 1, 1, 1, false, false, false)] // stride 2
    [InlineData(64, 32, 14, 32, 3, 1, 2, 2, 1, false, false, false)] // dilation 2
    [InlineData(64, 32, 14, 32, 3, 1, 3, 1, 1, false, false, false)] // padding 3: the input gradient would need −1
    [InlineData(64, 32, 14, 32, 3, 1, 1, 1, 2, false, false, false)] // groups 2
    public void SelectsTheGeometries(int n, int c, int hw, int k, int f, int stride, int pad, int dilation, int groups,
        bool forward, bool backwardInput, bool backwardWeight)
    {
        bool savedAvx512 = Gemm.DisableAvx512, savedFallback = Gemm.ForceFallback, savedDirect = ConvDirect.Disable;
        try
        {
            var g = new Conv2dGeometry(n, c, hw, hw, k, f, f, stride, stride, pad, pad, dilation, dilation, groups);
            bool Any() => ConvWinogradAvx2.Applies(g) || ConvWinogradAvx2.AppliesBackwardInput(g) || ConvWinogradAvx2.AppliesBackwardWeight(g);
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2)
            {
                Assert.False(Any()); // no AVX2/FMA: Winograd never runs
                return;
            }
            Assert.Equal(forward, ConvWinogradAvx2.Applies(g));
            Assert.Equal(backwardInput, ConvWinogradAvx2.AppliesBackwardInput(g));
            Assert.Equal(backwardWeight, ConvWinogradAvx2.AppliesBackwardWeight(g));
            ConvWinogradAvx2.Disable = true;
            Assert.False(Any());
            ConvWinogradAvx2.Disable = false;
            ConvDirect.Disable = true; // im2col everywhere
            Assert.False(Any());
            ConvDirect.Disable = savedDirect;
            Gemm.ForceFallback = true; // the 128-bit path
            Assert.False(Any());
            Gemm.ForceFallback = savedFallback;
            Gemm.DisableAvx512 = false;
            if (Gemm.UsesAvx512) Assert.False(Any());
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            Gemm.ForceFallback = savedFallback;
            ConvDirect.Disable = savedDirect;
            ConvWinogradAvx2.Disable = false;
        }
    }

    // The float64 result without bias, and the scale of its rounding error per element: Σ|w| over the output's whole
    // reduction (C·9 kernel taps forward, K·9 for the input gradient; the inputs are within ±1). Winograd rounds the
    // transformed inputs and kernels (sums of up to 4 inputs, of up to 9 taps), which can be large where the terms
    // themselves cancel or lie in the padding, so Σ|terms| is no bound for it.
    internal static (double[] Value, double[] Scale) Reference(Conv2dGeometry g, float[] x, float[] w, float[] dy, bool forward)
    {
        int len = forward ? g.OutputLength : g.InputLength, c = g.InChannels, k = g.OutChannels;
        int plane = forward ? g.OutHeight * g.OutWidth : g.Height * g.Width, channels = forward ? k : c;
        double[] v = new double[len], a = new double[len], sums = new double[channels];
        for (int o = 0; o < k; o++)
            for (int i = 0; i < c * 9; i++) sums[forward ? o : i / 9] += Math.Abs(w[o * c * 9 + i]);
        for (int e = 0; e < len; e++) a[e] = sums[e / plane % channels];
        ConvolutionTests.ForEachTerm(g, (o, xi, wi) => v[forward ? o : xi] += (double)w[wi] * (forward ? x[xi] : dy[o]));
        return (v, a);
    }

    // The float64 weight gradient and its error scale: Σ|dy| over the output channel's reduction (N·OH·OW) · max|x|.
    // Winograd rounds the transformed dy and x (sums of up to 4 values) before the products.
    internal static (double[] Value, double[] Scale) WeightReference(Conv2dGeometry g, float[] x, float[] dy)
    {
        int k = g.OutChannels, plane = g.OutHeight * g.OutWidth, perK = g.WeightLength / k;
        double[] v = new double[g.WeightLength], sums = new double[k];
        ConvolutionTests.ForEachTerm(g, (o, xi, wi) => v[wi] += (double)x[xi] * dy[o]);
        for (int e = 0; e < dy.Length; e++) sums[e / plane % k] += Math.Abs(dy[e]);
        double maxX = x.Max(Math.Abs);
        return (v, Enumerable.Range(0, g.WeightLength).Select(wi => sums[wi / perK] * maxX).ToArray());
    }

    // |actual − (expected + extra)| ≤ Tolerance · (scale + |extra|) (extra: bias or the accumulated value).
    internal static void Close(double[] expected, double[] scale, Func<int, double> extra, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i] + extra(i), tol = Tolerance * (scale[i] + Math.Abs(extra(i)));
            if (!(Math.Abs(actual[i] - e) <= tol))
                Assert.Fail($"{what}[{i}]: expected {e:R}, got {actual[i]:R} (tolerance {tol:R})");
        }
    }
}
