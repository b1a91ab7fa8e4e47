using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The implicit-GEMM convolution (<see cref="ConvDirect"/>) against the float64 reference with each of its tiles the
/// machine can run (AVX-512 where present; AVX2, also forced on AVX-512 machines), beside the im2col + GEMM path it
/// replaces (<see cref="ConvDirect.Disable"/>): all must match the reference on the same geometries. The 128-bit tile
/// (what ARM64 and <c>DOTNET_EnableAVX2=0</c> run) is checked on every machine through <see cref="Gemm.ForceFallback"/>.
/// These flip process-wide switches, so they run in the serial GEMM collection.
/// </summary>
[Collection(GemmCollection.Name)]
public class ConvDirectTests
{
    // (N, C, H, W, K, KH, KW, sh, sw, ph, pw, dh, dw, groups) and whether ConvDirect runs forward / input gradient with
    // AVX-512, then with AVX2, then with 128-bit vectors (no AVX2: ARM64, or DOTNET_EnableAVX2=0).
    public static TheoryData<int[], bool, bool, bool, bool, bool, bool> Geometries => new()
    {
        { new[] { 2, 6, 9, 13, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true, true, true, true, false },    // 8 + 3 (6 + 5) output channels
        { new[] { 2, 8, 7, 30, 9, 3, 5, 1, 1, 2, 1, 1, 2, 1 }, true, true, true, true, true, false },     // wide rows (several tiles), dilation in W
        { new[] { 3, 7, 6, 6, 8, 3, 3, 1, 1, 3, 3, 1, 1, 1 }, true, false, true, false, true, false },    // padding beyond the kernel extent
        { new[] { 2, 6, 4, 2, 8, 3, 3, 1, 1, 3, 3, 3, 3, 1 }, true, true, true, true, true, false },      // dilated kernel columns wholly outside a row
        { new[] { 1, 16, 12, 12, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1 }, true, true, true, true, true, false },  // LeNet/CNN-like 5x5
        { new[] { 20, 6, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true, true, true, true, false },     // many samples per weight-gradient chunk
        { new[] { 2, 6, 6, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, false, true, true, true, true, false },     // 3 output channels: im2col forward on AVX-512
        { new[] { 2, 2, 4, 2, 3, 3, 3, 1, 1, 3, 3, 3, 3, 1 }, false, false, true, false, true, false },   // columns wholly outside; 2 inputs
        { new[] { 2, 4, 4, 2, 4, 3, 3, 1, 1, 3, 3, 3, 3, 2 }, false, false, false, false, false, false },  // grouped
        { new[] { 3, 7, 5, 17, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true, true, true, true, false },     // 7 channels each way (6 + 1 rows), odd width
        { new[] { 2, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1 }, true, false, true, false, true, false },  // LeNet conv1
        { new[] { 2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1 }, true, true, true, true, true, false },   // LeNet conv2
        { new[] { 1, 8, 10, 9, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1 }, true, true, true, true, true, false },    // K = 32, unpadded: direct input gradient on AVX2 too
        { new[] { 2, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, true, true, true, true, false },  // CompactBNCNN conv4 (32 -> 64, "same")
        { new[] { 2, 6, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1 }, false, false, false, false, false, false },  // stride 2
        { new[] { 2, 6, 5, 5, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1 }, false, false, false, false, false, false },  // 1x1
    };

    private static Conv2dGeometry Make(int[] a) =>
        new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);

    [Theory, MemberData(nameof(Geometries))]
    public void EveryPathMatchesTheReference(int[] geometry, bool direct512, bool backwardInput512, bool directAvx2, bool backwardInputAvx2,
        bool direct128, bool backwardInput128)
    {
        var g = Make(geometry);
        bool savedAvx512 = Gemm.DisableAvx512, savedDirect = ConvDirect.Disable, savedFallback = Gemm.ForceFallback;
        try
        {
            if (Gemm.UsesAvx512)
            {
                Assert.Equal(direct512, ConvDirect.Applies(g));
                Assert.Equal(backwardInput512, ConvDirect.AppliesBackwardInput(g));
                ConvolutionTests.CheckAgainstReference<float>(geometry);
            }

            Gemm.DisableAvx512 = true;
            Assert.Equal(Gemm.UsesAvx2 ? directAvx2 : direct128, ConvDirect.Applies(g));
            Assert.Equal(Gemm.UsesAvx2 ? backwardInputAvx2 : backwardInput128, ConvDirect.AppliesBackwardInput(g));
            ConvolutionTests.CheckAgainstReference<float>(geometry);

            // The 128-bit tile (forward only: both gradients stay on im2col there).
            Gemm.ForceFallback = true;
            Assert.Equal(direct128, ConvDirect.Applies(g));
            Assert.Equal(backwardInput128, ConvDirect.AppliesBackwardInput(g));
            Assert.False(ConvDirect.AppliesBackwardWeight(g));
            ConvolutionTests.CheckAgainstReference<float>(geometry);
            Gemm.ForceFallback = savedFallback;

            ConvDirect.Disable = true;
            Assert.False(ConvDirect.Applies(g) || ConvDirect.AppliesBackwardInput(g));
            ConvolutionTests.CheckAgainstReference<float>(geometry);
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            ConvDirect.Disable = savedDirect;
            Gemm.ForceFallback = savedFallback;
        }
    }

    // (N, C, H, W, K, KH, KW, sh, sw, ph, pw, dh, dw, groups), whether the AVX2 forward and input gradient take the
    // pixel-rows tile (ConvPixelsAvx2) and whether the weight gradient takes ConvPixelsWeightAvx2; the comment says what
    // each case covers.
    public static TheoryData<int[], bool, bool, bool> PixelRowGeometries => new()
    {
        { new[] { 2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1 }, true, false, true },   // LeNet conv2: 100 positions (16·6 + 4), unpadded
        { new[] { 2, 16, 12, 12, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1 }, true, true, true },   // padded; input gradient to 16 channels
        { new[] { 3, 8, 9, 13, 28, 3, 3, 1, 1, 1, 0, 1, 1, 1 }, true, false, true },    // 28 = 16 + 12 channels, uneven padding, odd width
        { new[] { 2, 5, 11, 10, 27, 3, 3, 1, 1, 2, 1, 2, 1, 1 }, true, false, true },   // 27 = 16 + 11 channels, dilation in H, 45 taps
        { new[] { 1, 12, 7, 23, 14, 3, 3, 1, 1, 0, 1, 1, 2, 1 }, true, false, true },   // 14 channels (one partial block), dilation in W
        { new[] { 2, 4, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, false, true },     // 81 positions, 2 whole blocks
        { new[] { 3, 14, 8, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, false, true, false },   // input gradient to 14 channels (16 − 2)
        { new[] { 20, 6, 5, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true, false, true },    // many samples per weight-gradient chunk
        { new[] { 2, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1 }, false, false, true },  // CNN conv1: 9 taps (6 + 3)
    };

    [Theory, MemberData(nameof(PixelRowGeometries))]
    public void PixelRowsGiveTheChannelRowsBits(int[] geometry, bool forward, bool backwardInput, bool backwardWeight)
    {
        var g = Make(geometry);
        bool savedAvx512 = Gemm.DisableAvx512, savedPixels = ConvDirect.DisablePixelRows;
        try
        {
            Gemm.DisableAvx512 = true;
            if (!Gemm.UsesAvx2) return; // the AVX2 tiles; the 128-bit one has a test of its own
            Assert.Equal(forward, ConvDirect.PixelRowsForward(g));
            Assert.Equal(backwardInput, ConvDirect.PixelRowsBackwardInput(g) && ConvDirect.AppliesBackwardInput(g));
            Assert.Equal(backwardWeight, ConvDirect.PixelRowsBackwardWeight(g) && ConvDirect.AppliesBackwardWeight(g));
            // The weight gradient sums in another order than the channel-rows tile: the reference check covers it.
            ConvolutionTests.CheckAgainstReference<float>(geometry);
            var r = new Random(3);
            float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), w = Rand(g.WeightLength), b = Rand(g.OutChannels), dy = Rand(g.OutputLength);
            float[] dx0 = Rand(g.InputLength);
            float[][] Run()
            {
                float[] y = new float[g.OutputLength], dx = (float[])dx0.Clone();
                Convolution.Conv2dForward<float>(g, x, w, b, y);
                Convolution.Conv2dBackwardInput<float>(g, dy, w, dx, accumulate: true);
                return [y, dx];
            }
            var pixels = Run();
            ConvDirect.DisablePixelRows = true;
            Assert.False(ConvDirect.PixelRowsForward(g) || ConvDirect.PixelRowsBackwardInput(g) || ConvDirect.PixelRowsBackwardWeight(g));
            ConvolutionTests.CheckAgainstReference<float>(geometry);
            var channels = Run();
            Assert.Equal(channels[0], pixels[0]);
            Assert.Equal(channels[1], pixels[1]);
        }
        finally
        {
            Gemm.DisableAvx512 = savedAvx512;
            ConvDirect.DisablePixelRows = savedPixels;
        }
    }

    // (N, C, H, W, K, KH, KW, sh, sw, ph, pw, dh, dw, groups) and whether the 128-bit forward takes the pixel-rows tile
    // (ConvPixels128.TileAt): where it computes fewer multiply-adds than the 4 × 12 channel-rows tile.
    public static TheoryData<int[], bool> PixelRowGeometries128 => new()
    {
        { new[] { 2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1 }, true },   // LeNet conv2: 102 positions for 100, against 144
        { new[] { 2, 16, 12, 12, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1 }, true },  // padded
        { new[] { 3, 8, 9, 13, 28, 3, 3, 1, 1, 1, 0, 1, 1, 1 }, true },    // 28 = 3 · 8 + 4 channels, uneven padding, odd width
        { new[] { 2, 5, 11, 10, 27, 3, 3, 1, 1, 2, 1, 2, 1, 1 }, true },   // 27 channels, dilation in H, 45 taps
        { new[] { 1, 12, 7, 23, 14, 3, 3, 1, 1, 0, 1, 1, 2, 1 }, true },   // dilation in W
        { new[] { 20, 6, 5, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, true },    // 25 positions (4 · 6 + 1)
        { new[] { 3, 14, 8, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1 }, false },   // a tie: the channel-rows tile stays
        { new[] { 2, 6, 14, 14, 3, 5, 5, 1, 1, 0, 0, 1, 1, 1 }, false },   // 3 channels: 8-channel blocks waste more
    };

    [Theory, MemberData(nameof(PixelRowGeometries128))]
    public void PixelRows128GiveTheChannelRowsBits(int[] geometry, bool pixelRows)
    {
        var g = Make(geometry);
        bool savedFallback = Gemm.ForceFallback, savedPixels = ConvDirect.DisablePixelRows;
        try
        {
            Gemm.ForceFallback = true; // the 128-bit path, on every machine
            Assert.True(ConvDirect.Applies(g));
            Assert.Equal(pixelRows, ConvDirect.PixelRowsForward(g));
            var r = new Random(4);
            float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            float[] x = Rand(g.InputLength), w = Rand(g.WeightLength), b = Rand(g.OutChannels);
            unsafe float[] Forward()
            {
                var y = new float[g.OutputLength];
                fixed (float* px = x, pw = w, pb = b, py = y) ConvDirect.Forward(g, px, pw, pb, py);
                return y;
            }
            var pixels = Forward();
            ConvDirect.DisablePixelRows = true;
            Assert.False(ConvDirect.PixelRowsForward(g));
            var channels = Forward();
            Assert.Equal(channels, pixels);
            // And both against the float64 reference (through Convolution, which may pick Winograd for 3 × 3).
            ConvDirect.DisablePixelRows = savedPixels;
            ConvolutionTests.CheckAgainstReference<float>(geometry);
        }
        finally
        {
            Gemm.ForceFallback = savedFallback;
            ConvDirect.DisablePixelRows = savedPixels;
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]  // AVX2 (on an AVX-512 machine)
    [InlineData(true, true)]   // the 128-bit tile
    public void DirectPathIsBitIdenticalForAnyThreadCount(bool avx2, bool narrow)
    {
        bool saved = Gemm.DisableAvx512, savedFallback = Gemm.ForceFallback;
        Gemm.DisableAvx512 = avx2;
        Gemm.ForceFallback = narrow;
        try { CheckThreadCounts(); }
        finally
        {
            Gemm.DisableAvx512 = saved;
            Gemm.ForceFallback = savedFallback;
        }
    }

    private static void CheckThreadCounts()
    {
        // The second to fourth take AVX2 pixel-rows tiles: forward and weight gradient, input gradient, weight gradient over
        // chunks of several samples.
        int[][] geometries = [[7, 6, 10, 11, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1], [5, 6, 10, 11, 30, 3, 3, 1, 1, 1, 1, 1, 1, 1],
            [3, 14, 8, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1], [20, 6, 5, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1]];
        foreach (var g in geometries) CheckThreadCounts(Make(g));
    }

    private static void CheckThreadCounts(Conv2dGeometry g)
    {
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
