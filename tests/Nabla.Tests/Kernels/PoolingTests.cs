using System.Numerics;
using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

[Collection("MaxThreads")]
public class PoolingTests
{
    // (N, C, H, W, KH, KW, sh, sw, ph, pw)
    public static TheoryData<int[]> Geometries => new()
    {
        new[] { 1, 1, 4, 4, 2, 2, 2, 2, 0, 0 },  // the classic 2x2/2
        new[] { 3, 2, 7, 5, 2, 2, 2, 2, 0, 0 },  // odd sizes: last row/column dropped
        new[] { 3, 2, 7, 6, 3, 3, 2, 2, 1, 1 },  // overlapping windows with padding
        new[] { 1, 3, 9, 8, 3, 2, 3, 1, 1, 1 },  // stride 3 x 1, 3x2 kernel
        new[] { 3, 1, 6, 7, 5, 4, 1, 2, 2, 2 },  // pad 2 = half of kernel 5
        new[] { 2, 2, 5, 5, 5, 5, 1, 1, 0, 0 },  // window = whole image
        new[] { 2, 3, 9, 37, 2, 2, 2, 2, 0, 0 }, // 2x2/2, 18 outputs a row: two 8-wide vector blocks + tail, odd H and W
        new[] { 2, 2, 28, 28, 2, 2, 2, 2, 0, 0 }, // LeNet's first pool
    };

    private static Pool2dGeometry Make(int[] a) => new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);

    private static double[] Random(int n, int seed)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.NextDouble() * 2 - 1;
        return v;
    }

    private static T[] To<T>(double[] v) where T : unmanaged, IFloatingPointIeee754<T> => v.Select(T.CreateTruncating).ToArray();

    // Calls body(outputIndex, inputIndex, inPlaneIndex, validCount) for every real input element of every window.
    private static void ForEachWindowElement(Pool2dGeometry g, Action<int, int, int, int> body)
    {
        for (int plane = 0; plane < g.Batch * g.Channels; plane++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    var cells = new List<int>();
                    for (int i = 0; i < g.KernelH; i++)
                        for (int j = 0; j < g.KernelW; j++)
                        {
                            int ih = oh * g.StrideH - g.PadH + i, iw = ow * g.StrideW - g.PadW + j;
                            if (ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width) cells.Add(ih * g.Width + iw);
                        }
                    int o = (plane * g.OutHeight + oh) * g.OutWidth + ow;
                    foreach (int cell in cells) body(o, plane * g.Height * g.Width + cell, cell, cells.Count);
                }
    }

    private static (double[] Y, int[] Arg) RefMax(Pool2dGeometry g, double[] x)
    {
        var y = Enumerable.Repeat(double.NegativeInfinity, g.OutputLength).ToArray();
        var arg = Enumerable.Repeat(-1, g.OutputLength).ToArray();
        ForEachWindowElement(g, (o, xi, cell, _) =>
        {
            if (x[xi] > y[o]) { y[o] = x[xi]; arg[o] = cell; }
        });
        return (y, arg);
    }

    private static double[] RefAvg(Pool2dGeometry g, double[] x, bool includePad)
    {
        var y = new double[g.OutputLength];
        ForEachWindowElement(g, (o, xi, _, count) => y[o] += x[xi] / (includePad ? g.KernelH * g.KernelW : count));
        return y;
    }

    private static double[] RefAvgBackward(Pool2dGeometry g, double[] dy, bool includePad)
    {
        var dx = new double[g.InputLength];
        ForEachWindowElement(g, (o, xi, _, count) => dx[xi] += dy[o] / (includePad ? g.KernelH * g.KernelW : count));
        return dx;
    }

    private static void Close<T>(double[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double tol = typeof(T) == typeof(double) ? 1e-13 : 1e-6;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]);
            if (!(Math.Abs(a - expected[i]) <= tol * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {a:R}");
        }
    }

    private static void CheckMax<T>(int[] a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Make(a);
        double[] x = Random(g.InputLength, 1), dy = Random(g.OutputLength, 2), dx0 = Random(g.InputLength, 3);
        var (refY, refArg) = RefMax(g, x);
        var y = new T[g.OutputLength];
        var arg = new int[g.OutputLength];
        Pooling.MaxPool2dForward<T>(g, To<T>(x), y, arg);
        Close(refY, y, "max");
        Assert.Equal(refArg, arg);

        var refDx = new double[g.InputLength];
        for (int o = 0; o < dy.Length; o++) refDx[o / (g.OutHeight * g.OutWidth) * g.Height * g.Width + refArg[o]] += dy[o];
        var dx = Enumerable.Repeat(T.NaN, g.InputLength).ToArray();
        Pooling.MaxPool2dBackward<T>(g, To<T>(dy), arg, dx, accumulate: false);
        Close(refDx, dx, "max dInput");
        dx = To<T>(dx0);
        Pooling.MaxPool2dBackward<T>(g, To<T>(dy), arg, dx, accumulate: true);
        Close(refDx.Select((v, i) => v + dx0[i]).ToArray(), dx, "max dInput accumulated");
    }

    private static void CheckAvg<T>(int[] a, bool includePad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Make(a);
        double[] x = Random(g.InputLength, 4), dy = Random(g.OutputLength, 5), dx0 = Random(g.InputLength, 6);
        var y = Enumerable.Repeat(T.NaN, g.OutputLength).ToArray();
        Pooling.AvgPool2dForward<T>(g, To<T>(x), y, includePad);
        Close(RefAvg(g, x, includePad), y, "avg");

        var refDx = RefAvgBackward(g, dy, includePad);
        var dx = Enumerable.Repeat(T.NaN, g.InputLength).ToArray();
        Pooling.AvgPool2dBackward<T>(g, To<T>(dy), dx, includePad, accumulate: false);
        Close(refDx, dx, "avg dInput");
        dx = To<T>(dx0);
        Pooling.AvgPool2dBackward<T>(g, To<T>(dy), dx, includePad, accumulate: true);
        Close(refDx.Select((v, i) => v + dx0[i]).ToArray(), dx, "avg dInput accumulated");
    }

    [Theory, MemberData(nameof(Geometries))]
    public void MaxPoolMatchesReference(int[] geometry)
    {
        CheckMax<double>(geometry);
        CheckMax<float>(geometry);
    }

    [Theory, MemberData(nameof(Geometries))]
    public void AvgPoolMatchesReference(int[] geometry)
    {
        foreach (bool includePad in new[] { true, false })
        {
            CheckAvg<double>(geometry, includePad);
            CheckAvg<float>(geometry, includePad);
        }
    }

    // Max pooling is piecewise linear: with distinct inputs, a small step keeps every argmax, so central differences of
    // L = <dy, MaxPool(x)> are exact up to rounding. Likewise avg pooling, which is linear.
    [Theory, MemberData(nameof(Geometries))]
    public void BackwardPassesAreCentralDifferenceGradients(int[] geometry)
    {
        var g = Make(geometry);
        double[] x = Random(g.InputLength, 7), dy = Random(g.OutputLength, 8);
        var y = new double[g.OutputLength];
        var arg = new int[g.OutputLength];
        foreach (string kind in new[] { "max", "avg", "avg-exclude-pad" })
        {
            void Forward()
            {
                if (kind == "max") Pooling.MaxPool2dForward<double>(g, x, y, arg);
                else Pooling.AvgPool2dForward<double>(g, x, y, countIncludePad: kind == "avg");
            }
            double Loss()
            {
                Forward();
                return y.Select((v, i) => v * dy[i]).Sum();
            }
            Forward();
            var dx = new double[g.InputLength];
            if (kind == "max") Pooling.MaxPool2dBackward<double>(g, dy, arg, dx, accumulate: false);
            else Pooling.AvgPool2dBackward<double>(g, dy, dx, countIncludePad: kind == "avg", accumulate: false);
            const double h = 1e-6;
            for (int i = 0; i < x.Length; i++)
            {
                double keep = x[i];
                x[i] = keep + h;
                double up = Loss();
                x[i] = keep - h;
                double down = Loss();
                x[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - dx[i]) <= 1e-7 * (1 + Math.Abs(numeric)),
                    $"{kind}: d/dx[{i}]: central difference {numeric:R}, backward {dx[i]:R}");
            }
        }
    }

    [Fact]
    public void MaxPoolTiesGoToTheFirstMaximumInRowMajorOrder()
    {
        // 3x3 windows, stride 1, pad 1 over a 4x4 plane of equal values: each window's first real cell wins.
        var g = new Pool2dGeometry(1, 1, 4, 4, 3, 3, 1, 1, 1, 1);
        var x = Enumerable.Repeat(2f, 16).ToArray();
        var y = new float[g.OutputLength];
        var arg = new int[g.OutputLength];
        Pooling.MaxPool2dForward<float>(g, x, y, arg);
        for (int oh = 0; oh < 4; oh++)
            for (int ow = 0; ow < 4; ow++)
                Assert.Equal(Math.Max(oh - 1, 0) * 4 + Math.Max(ow - 1, 0), arg[oh * 4 + ow]);
        // A later equal value does not displace an earlier one; a strictly larger one does.
        x = new float[] { 1, 5, 5, 1, 5, 1, 1, 7, 6 };
        g = new Pool2dGeometry(1, 1, 3, 3, 3, 3, 1, 1);
        y = new float[1];
        arg = new int[1];
        Pooling.MaxPool2dForward<float>(g, x.AsSpan(0, 9), y, arg);
        Assert.Equal((7f, 7), (y[0], arg[0]));
        x[7] = 5;
        Pooling.MaxPool2dForward<float>(g, x, y, arg);
        Assert.Equal((6f, 8), (y[0], arg[0]));
        x[8] = 5;
        Pooling.MaxPool2dForward<float>(g, x, y, arg);
        Assert.Equal((5f, 1), (y[0], arg[0]));
    }

    [Fact]
    public void MaxPoolPropagatesTheFirstNaN()
    {
        var g = new Pool2dGeometry(1, 1, 2, 2, 2, 2, 2, 2);
        var y = new float[1];
        var arg = new int[1];
        Pooling.MaxPool2dForward<float>(g, new[] { 1f, float.NaN, 3f, float.NaN }, y, arg);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, arg[0]);
    }

    [Fact]
    public void GlobalAvgPoolForwardAndBackward()
    {
        int n = 3, c = 4, h = 5, w = 7;
        double[] x = Random(n * c * h * w, 9), dy = Random(n * c, 10), dx0 = Random(n * c * h * w, 11);
        var y = new double[n * c];
        Pooling.GlobalAvgPool2dForward<double>(n, c, h, w, x, y);
        for (int p = 0; p < n * c; p++)
            Assert.Equal(x.Skip(p * h * w).Take(h * w).Average(), y[p], 1e-14);
        var yf = new float[n * c];
        Pooling.GlobalAvgPool2dForward<float>(n, c, h, w, To<float>(x), yf);
        for (int p = 0; p < n * c; p++) Assert.Equal(y[p], yf[p], 1e-6);

        var dx = Enumerable.Repeat(double.NaN, x.Length).ToArray();
        Pooling.GlobalAvgPool2dBackward<double>(n, c, h, w, dy, dx, accumulate: false);
        for (int i = 0; i < x.Length; i++) Assert.Equal(dy[i / (h * w)] / (h * w), dx[i], 1e-15);
        dx = (double[])dx0.Clone();
        Pooling.GlobalAvgPool2dBackward<double>(n, c, h, w, dy, dx, accumulate: true);
        for (int i = 0; i < x.Length; i++) Assert.Equal(dx0[i] + dy[i / (h * w)] / (h * w), dx[i], 1e-15);
    }

    [Fact]
    public void GeometryComputesOutputSizeAndRejectsBadValues()
    {
        var g = new Pool2dGeometry(2, 3, 7, 6, 3, 3, 2, 2, 1, 1);
        Assert.Equal((4, 3), (g.OutHeight, g.OutWidth));
        Assert.Contains("padding height 2 must be between 0 and half the kernel height (1)",
            Assert.Throws<ArgumentException>(() => new Pool2dGeometry(1, 1, 8, 8, 3, 3, 1, 1, 2, 0)).Message);
        Assert.Contains("stride width 0",
            Assert.Throws<ArgumentException>(() => new Pool2dGeometry(1, 1, 8, 8, 2, 2, 2, 0)).Message);
        Assert.Contains("kernel width 5 exceeds padded input width 4",
            Assert.Throws<ArgumentException>(() => new Pool2dGeometry(1, 1, 8, 4, 2, 5, 2, 2)).Message);
        Assert.Contains("argmax length 3",
            Assert.Throws<ArgumentException>(() => Pooling.MaxPool2dForward<float>(
                new Pool2dGeometry(1, 1, 4, 4, 2, 2, 2, 2), new float[16], new float[4], new int[3])).Message);
    }

    [Fact]
    public void ResultsAreBitIdenticalForAnyThreadCount()
    {
        var g = new Pool2dGeometry(8, 5, 13, 12, 3, 3, 2, 2, 1, 1);
        float[] x = To<float>(Random(g.InputLength, 12)), dy = To<float>(Random(g.OutputLength, 13));
        float[][] Run(int threads)
        {
            int keep = Threads.Max;
            Threads.Max = threads;
            try
            {
                var y = new float[g.OutputLength];
                var arg = new int[g.OutputLength];
                var dxMax = new float[g.InputLength];
                var a = new float[g.OutputLength];
                var dxAvg = new float[g.InputLength];
                Pooling.MaxPool2dForward<float>(g, x, y, arg);
                Pooling.MaxPool2dBackward<float>(g, dy, arg, dxMax, accumulate: false);
                Pooling.AvgPool2dForward<float>(g, x, a);
                Pooling.AvgPool2dBackward<float>(g, dy, dxAvg, countIncludePad: true, accumulate: false);
                return new[] { y, dxMax, a, dxAvg };
            }
            finally { Threads.Max = keep; }
        }
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }
}
