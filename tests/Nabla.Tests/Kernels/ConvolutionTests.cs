using System.Numerics;
using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

// Tests that change Threads.Max share one collection so they never race on it.
[Collection("MaxThreads")]
public class ConvolutionTests
{
    // (N, C, H, W, K, KH, KW, sh, sw, ph, pw, dh, dw, groups)
    public static TheoryData<int[]> Geometries => new()
    {
        new[] { 1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1 },   // plain
        new[] { 3, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1 },   // pad 1, odd sizes
        new[] { 3, 4, 9, 8, 6, 3, 2, 2, 2, 0, 1, 1, 1, 1 },   // stride 2, 3x2 kernel
        new[] { 1, 2, 11, 10, 3, 3, 3, 3, 3, 2, 2, 1, 1, 1 }, // stride 3, pad 2
        new[] { 3, 2, 9, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1 },   // dilation 2
        new[] { 3, 2, 10, 9, 3, 2, 3, 2, 1, 1, 0, 2, 1, 1 },  // mixed stride/dilation per axis
        new[] { 3, 4, 8, 7, 6, 3, 3, 1, 2, 1, 1, 1, 1, 2 },   // groups 2
        new[] { 3, 6, 7, 7, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3 },   // groups 3, K/groups = 1
        new[] { 3, 4, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4 },   // depthwise
        new[] { 3, 3, 8, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3 },   // depthwise, multiplier 2, stride 2
        new[] { 3, 4, 9, 6, 4, 3, 3, 3, 1, 2, 1, 2, 1, 4 },   // depthwise, stride 3, pad 2, dilation 2
        new[] { 2, 3, 5, 21, 3, 3, 3, 1, 1, 1, 1, 1, 2, 3 },  // depthwise, wide rows (vector loops + tail)
        new[] { 2, 2, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2 },  // depthwise, multiplier 8 (im2col path)
        new[] { 2, 1, 9, 8, 8, 3, 3, 2, 1, 1, 0, 1, 1, 1 },   // one input channel, 8 outputs (im2col path)
        new[] { 3, 6, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1 },   // pointwise (no im2col)
        new[] { 3, 6, 5, 3, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2 },   // pointwise, groups 2
        new[] { 1, 3, 7, 6, 2, 1, 1, 2, 2, 0, 0, 1, 1, 1 },   // 1x1 with stride 2 (im2col path)
        new[] { 3, 3, 6, 6, 2, 5, 5, 1, 1, 2, 2, 1, 1, 1 },   // LeNet-like 5x5 pad 2
        new[] { 1, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1 },   // kernel larger than the image
        new[] { 20, 3, 6, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1 },  // several samples per weight-gradient chunk
        new[] { 20, 4, 3, 4, 6, 1, 1, 1, 1, 0, 0, 1, 1, 2 },  // same, pointwise grouped
    };

    private static Conv2dGeometry Make(int[] a) =>
        new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);

    private static double[] Random(int n, int seed)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.NextDouble() * 2 - 1;
        return v;
    }

    // ---------------------------------------------------------------- naive float64 reference

    private static int In(Conv2dGeometry g, int n, int c, int h, int w) => ((n * g.InChannels + c) * g.Height + h) * g.Width + w;
    private static int Out(Conv2dGeometry g, int n, int k, int h, int w) => ((n * g.OutChannels + k) * g.OutHeight + h) * g.OutWidth + w;
    private static int Wt(Conv2dGeometry g, int k, int c, int h, int w) => ((k * g.InChannelsPerGroup + c) * g.KernelH + h) * g.KernelW + w;

    // Calls body(n, k, oh, ow, inputIndex, weightIndex) for every product term of the convolution.
    internal static void ForEachTerm(Conv2dGeometry g, Action<int, int, int> body)
    {
        int cg = g.InChannelsPerGroup, kg = g.OutChannelsPerGroup;
        for (int n = 0; n < g.Batch; n++)
            for (int k = 0; k < g.OutChannels; k++)
                for (int oh = 0; oh < g.OutHeight; oh++)
                    for (int ow = 0; ow < g.OutWidth; ow++)
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < g.KernelH; i++)
                                for (int j = 0; j < g.KernelW; j++)
                                {
                                    int ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                                    int iw = ow * g.StrideW - g.PadW + j * g.DilationW;
                                    if (ih < 0 || ih >= g.Height || iw < 0 || iw >= g.Width) continue;
                                    body(Out(g, n, k, oh, ow), In(g, n, k / kg * cg + c, ih, iw), Wt(g, k, c, i, j));
                                }
    }

    private static double[] RefForward(Conv2dGeometry g, double[] x, double[] w, double[]? b)
    {
        var y = new double[g.OutputLength];
        if (b is not null)
            for (int i = 0; i < y.Length; i++) y[i] = b[i / (g.OutHeight * g.OutWidth) % g.OutChannels];
        ForEachTerm(g, (o, xi, wi) => y[o] += w[wi] * x[xi]);
        return y;
    }

    private static double[] RefBackwardInput(Conv2dGeometry g, double[] dy, double[] w)
    {
        var dx = new double[g.InputLength];
        ForEachTerm(g, (o, xi, wi) => dx[xi] += w[wi] * dy[o]);
        return dx;
    }

    private static (double[] Dw, double[] Db) RefBackwardWeight(Conv2dGeometry g, double[] x, double[] dy)
    {
        var dw = new double[g.WeightLength];
        var db = new double[g.OutChannels];
        ForEachTerm(g, (o, xi, wi) => dw[wi] += x[xi] * dy[o]);
        for (int i = 0; i < dy.Length; i++) db[i / (g.OutHeight * g.OutWidth) % g.OutChannels] += dy[i];
        return (dw, db);
    }

    // ---------------------------------------------------------------- helpers

    private static T[] To<T>(double[] v) where T : unmanaged, IFloatingPointIeee754<T> => v.Select(T.CreateTruncating).ToArray();

    private static void Close<T>(double[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // float64: rounding only; float32: inputs in [-1, 1], reductions of at most a few thousand terms.
        double tol = typeof(T) == typeof(double) ? 1e-12 : 2e-5;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]);
            if (!(Math.Abs(a - expected[i]) <= tol * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {a:R} (tolerance {tol} relative to 1 + |expected|)");
        }
    }

    internal static void CheckAgainstReference<T>(int[] a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Make(a);
        double[] x = Random(g.InputLength, 1), w = Random(g.WeightLength, 2), b = Random(g.OutChannels, 3);
        double[] dy = Random(g.OutputLength, 4), dx0 = Random(g.InputLength, 5), dw0 = Random(g.WeightLength, 6);
        double[] db0 = Random(g.OutChannels, 7);

        // Forward, with and without bias; stale output contents (NaN) must not leak through.
        var y = Enumerable.Repeat(T.NaN, g.OutputLength).ToArray();
        Convolution.Conv2dForward<T>(g, To<T>(x), To<T>(w), To<T>(b), y);
        Close(RefForward(g, x, w, b), y, "forward+bias");
        Array.Fill(y, T.NaN);
        Convolution.Conv2dForward<T>(g, To<T>(x), To<T>(w), ReadOnlySpan<T>.Empty, y);
        Close(RefForward(g, x, w, null), y, "forward");

        // Input gradient, overwriting (over NaN) and accumulating.
        var refDx = RefBackwardInput(g, dy, w);
        var dx = Enumerable.Repeat(T.NaN, g.InputLength).ToArray();
        Convolution.Conv2dBackwardInput<T>(g, To<T>(dy), To<T>(w), dx, accumulate: false);
        Close(refDx, dx, "dInput");
        dx = To<T>(dx0);
        Convolution.Conv2dBackwardInput<T>(g, To<T>(dy), To<T>(w), dx, accumulate: true);
        Close(refDx.Select((v, i) => v + dx0[i]).ToArray(), dx, "dInput accumulated");

        // Weight and bias gradients accumulate.
        var (refDw, refDb) = RefBackwardWeight(g, x, dy);
        T[] dw = To<T>(dw0), db = To<T>(db0);
        Convolution.Conv2dBackwardWeight<T>(g, To<T>(x), To<T>(dy), dw, db);
        Close(refDw.Select((v, i) => v + dw0[i]).ToArray(), dw, "dWeight");
        Close(refDb.Select((v, i) => v + db0[i]).ToArray(), db, "dBias");
        // Without a bias gradient.
        dw = new T[g.WeightLength];
        Convolution.Conv2dBackwardWeight<T>(g, To<T>(x), To<T>(dy), dw, Span<T>.Empty);
        Close(refDw, dw, "dWeight (no bias)");
    }

    // ---------------------------------------------------------------- tests

    [Theory, MemberData(nameof(Geometries))]
    public void MatchesReferenceInFloat64(int[] geometry) => CheckAgainstReference<double>(geometry);

    [Theory, MemberData(nameof(Geometries))]
    public void MatchesReferenceInFloat32(int[] geometry) => CheckAgainstReference<float>(geometry);

    // For L(x, w, b) = <dy, Forward(x, w, b)>, the backward passes must be its exact partial derivatives. L is linear in
    // each argument, so central differences are exact up to rounding: any wrong element (even by 1%) shows up.
    [Theory, MemberData(nameof(Geometries))]
    public void BackwardPassesAreCentralDifferenceGradients(int[] geometry)
    {
        var g = Make(geometry);
        double[] x = Random(g.InputLength, 11), w = Random(g.WeightLength, 12), b = Random(g.OutChannels, 13);
        double[] dy = Random(g.OutputLength, 14);
        var y = new double[g.OutputLength];
        double Loss()
        {
            Convolution.Conv2dForward<double>(g, x, w, b, y);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += dy[i] * y[i];
            return s;
        }

        var dx = new double[g.InputLength];
        var dw = new double[g.WeightLength];
        var db = new double[g.OutChannels];
        Convolution.Conv2dBackwardInput<double>(g, dy, w, dx, accumulate: false);
        Convolution.Conv2dBackwardWeight<double>(g, x, dy, dw, db);

        const double h = 1e-3;
        var pick = new Random(15);
        foreach (var (param, grad, name) in new[] { (x, dx, "x"), (w, dw, "w"), (b, db, "b") })
        {
            // Every element of small tensors, a sample of 40 from larger ones.
            var indices = param.Length <= 40 ? Enumerable.Range(0, param.Length) : Enumerable.Range(0, 40).Select(_ => pick.Next(param.Length));
            foreach (int i in indices)
            {
                double keep = param[i];
                param[i] = keep + h;
                double up = Loss();
                param[i] = keep - h;
                double down = Loss();
                param[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-8 * (1 + Math.Abs(numeric)),
                    $"d/d{name}[{i}]: central difference {numeric:R}, backward {grad[i]:R}");
            }
        }

        // And the adjoint identities over the whole tensors: <dy, F_x(x)> = <F_xᵀ(dy), x>, likewise for w.
        Convolution.Conv2dForward<double>(g, x, w, ReadOnlySpan<double>.Empty, y);
        double lhs = y.Select((v, i) => v * dy[i]).Sum();
        double viaX = dx.Select((v, i) => v * x[i]).Sum(), viaW = dw.Select((v, i) => v * w[i]).Sum();
        Assert.True(Math.Abs(lhs - viaX) <= 1e-10 * (1 + Math.Abs(lhs)), $"<dy,y> = {lhs:R} but <dx,x> = {viaX:R}");
        Assert.True(Math.Abs(lhs - viaW) <= 1e-10 * (1 + Math.Abs(lhs)), $"<dy,y> = {lhs:R} but <dw,w> = {viaW:R}");
    }

    [Theory]
    [InlineData(new[] { 20, 3, 12, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 9, 4, 10, 10, 8, 3, 3, 2, 2, 1, 1, 1, 1, 2 })]
    [InlineData(new[] { 7, 6, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6 })]
    [InlineData(new[] { 13, 8, 6, 6, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1 })]
    public void ResultsAreBitIdenticalForAnyThreadCount(int[] geometry)
    {
        var g = Make(geometry);
        float[] x = To<float>(Random(g.InputLength, 21)), w = To<float>(Random(g.WeightLength, 22));
        float[] b = To<float>(Random(g.OutChannels, 23)), dy = To<float>(Random(g.OutputLength, 24));

        (float[] Y, float[] Dx, float[] Dw, float[] Db) Run(int threads)
        {
            int keep = Threads.Max;
            Threads.Max = threads;
            try
            {
                var y = new float[g.OutputLength];
                var dx = new float[g.InputLength];
                var dw = new float[g.WeightLength];
                var db = new float[g.OutChannels];
                Convolution.Conv2dForward<float>(g, x, w, b, y);
                Convolution.Conv2dBackwardInput<float>(g, dy, w, dx, accumulate: false);
                Convolution.Conv2dBackwardWeight<float>(g, x, dy, dw, db);
                return (y, dx, dw, db);
            }
            finally { Threads.Max = keep; }
        }

        var one = Run(1);
        var two = Run(2);
        var three = Run(3);
        foreach (var other in new[] { two, three })
        {
            Assert.Equal(one.Y, other.Y);
            Assert.Equal(one.Dx, other.Dx);
            Assert.Equal(one.Dw, other.Dw);
            Assert.Equal(one.Db, other.Db);
        }
    }

    [Fact]
    public void GeometryComputesOutputSize()
    {
        var g = new Conv2dGeometry(2, 3, 28, 28, 6, 5, 5, padH: 2, padW: 2);
        Assert.Equal((28, 28), (g.OutHeight, g.OutWidth));
        g = new Conv2dGeometry(1, 1, 10, 9, 1, 3, 3, 2, 3, 1, 0, 2, 1);
        Assert.Equal(((10 + 2 - 5) / 2 + 1, (9 - 3) / 3 + 1), (g.OutHeight, g.OutWidth));
        Assert.Equal(2 * 6 * 28 * 28, new Conv2dGeometry(2, 3, 28, 28, 6, 5, 5, padH: 2, padW: 2).OutputLength);
    }

    [Fact]
    public void GeometryRejectsBadValuesByName()
    {
        Assert.Contains("in channels 3 not divisible by groups 2",
            Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 3, 8, 8, 4, 3, 3, groups: 2)).Message);
        Assert.Contains("out channels 3 not divisible by groups 2",
            Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 4, 8, 8, 3, 3, 3, groups: 2)).Message);
        Assert.Contains("stride height 0",
            Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 1, 8, 8, 1, 3, 3, strideH: 0)).Message);
        Assert.Contains("padding width -1",
            Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 1, 8, 8, 1, 3, 3, padW: -1)).Message);
        Assert.Contains("dilated kernel height 5 exceeds padded input height 4",
            Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 1, 4, 8, 1, 3, 3, dilationH: 2)).Message);
    }

    [Fact]
    public void KernelsRejectWrongLengths()
    {
        var g = new Conv2dGeometry(2, 3, 5, 5, 4, 3, 3);
        var ex = Assert.Throws<ArgumentException>(() =>
            Convolution.Conv2dForward<float>(g, new float[g.InputLength - 1], new float[g.WeightLength], default, new float[g.OutputLength]));
        Assert.Contains($"input length {g.InputLength - 1}", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Convolution.Conv2dBackwardWeight<float>(g, new float[g.InputLength], new float[g.OutputLength], new float[g.WeightLength], new float[3]));
        Assert.Contains("bias gradient length 3", ex.Message);
        Assert.Throws<ArgumentException>(() =>
            Convolution.Conv2dForward<float>(default, default, default, default, default));
    }

    [Fact]
    public void WeightChunkingDependsOnlyOnGeometry()
    {
        foreach (int n in new[] { 1, 2, 7, 20, 64, 1000 })
        {
            var g = new Conv2dGeometry(n, 32, 26, 26, 64, 3, 3);
            var (size, chunks) = ConvGemm.WeightChunks(g);
            Assert.True(chunks >= 1 && chunks <= 16 && (chunks - 1) * size < n && chunks * size >= n, $"N={n}: {chunks} x {size}");
        }
    }
}
