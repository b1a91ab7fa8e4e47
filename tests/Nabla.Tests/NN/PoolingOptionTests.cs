using Nabla.Kernels;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

/// <summary>
/// PyTorch's pooling options: ceil_mode, count_include_pad, return_indices, adaptive average pooling to any size.
/// Reference values from PyTorch 1.13 in float64 on the same inputs, made by (F = torch.nn.functional):
/// <code>
/// def inp(n, c, h, w):  # distinct values (k·37 mod 101 − 50)/8, exact in binary
///     k = torch.arange(n*c*h*w, dtype=torch.float64); return (((k*37) % 101) - 50).div(8).reshape(n, c, h, w).requires_grad_(True)
/// def wts(shape):       # the upstream gradient: 1, 2, 3, 4, 5, 1, 2, … in row-major order
///     k = torch.arange(int(torch.tensor(shape).prod()), dtype=torch.float64); return (k % 5 + 1).reshape(shape)
/// y = OP(x); (y * wts(y.shape)).sum().backward(); print(y.flatten().tolist(), x.grad.flatten().tolist())
/// </code>
/// </summary>
public class PoolingOptionTests
{
    private static Tensor Input(int n, int c, int h, int w)
    {
        var v = new double[n * c * h * w];
        for (int k = 0; k < v.Length; k++) v[k] = ((k * 37) % 101 - 50) / 8.0;
        var t = Tensor.FromArray(v, n, c, h, w);
        t.RequiresGrad = true;
        return t;
    }

    // Σ y ⊙ w with w = 1, 2, 3, 4, 5, 1, … so that the input gradient tells the windows apart
    private static void BackwardWeighted(Tensor y)
    {
        var w = new double[y.Numel];
        for (int k = 0; k < w.Length; k++) w[k] = k % 5 + 1;
        (y * Tensor.FromArray(w, y.Shape.ToArray())).Sum().Backward();
    }

    private static void Check(Tensor x, Tensor y, int[] shape, double[] values, double[] grad)
    {
        Assert.Equal(shape, y.Shape.ToArray());
        AssertClose(values, y.ToDoubleArray(), 1e-15);
        BackwardWeighted(y);
        AssertClose(grad, x.Grad!.ToDoubleArray(), 1e-15);
    }

    [Fact]
    public void MaxPoolCeilModeAndIndices()
    {
        // y, idx = F.max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True) on [1, 2, 5, 5]: the floor rule gives 2x2,
        // ceil mode adds a last row and column of cut windows
        var x = Input(1, 2, 5, 5);
        var pool = new MaxPool2d(2, ceilMode: true);
        var (y, indices) = pool.ForwardWithIndices(x);
        Check(x, y, [1, 2, 3, 3],
            [4.25, 5.5, -0.375, 4.625, 3.375, 5.875, 2.5, -0.875, 3.75, 6.25, 5.0, 1.625, 4.125, 5.375, -2.625, 4.5, 1.125, 5.75],
            [0, 0, 0, 0, 3, 1, 0, 0, 2, 0, 0, 0, 0, 5, 0, 0, 4, 0, 0, 1, 0, 2, 0, 3, 4,
             0, 0, 1, 0, 2, 5, 0, 0, 0, 0, 3, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 1, 0, 2, 3]);
        Assert.Equal([5, 8, 4, 16, 13, 19, 21, 23, 24, 5, 2, 4, 10, 13, 14, 21, 23, 24], indices);
        Assert.Equal(new Shape(1, 2, 2, 2), new MaxPool2d(2).Forward(x).Shape);
        Assert.Equal("MaxPool2d(2x2, ceil)", pool.Describe());

        // F.max_pool2d(x, 3, 2, 1, ceil_mode=True) on [1, 1, 6, 6]: ⌈(6 + 2 − 3)/2⌉ + 1 = 4 (a last window from row 5)
        var x2 = Input(1, 1, 6, 6);
        Check(x2, x2.MaxPool2d((3, 3), (2, 2), (1, 1), ceilMode: true), [1, 1, 4, 4],
            [0.875, 5.5, 4.25, 4.25, 5.875, 5.875, 4.625, -0.875, 6.25, 5.875, 5.0, 4.125, 6.25, 2.875, 4.125, 4.125],
            [0, 0, 0, 0, 0, 7, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 11, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 7, 0, 4, 0, 0, 8]);
    }

    [Fact]
    public void MaxPoolIndicesWithOverlappingPaddedWindows()
    {
        // F.max_pool2d(inp(1, 1, 4, 4), 3, 1, 1, return_indices=True)[1]
        var (_, indices) = Input(1, 1, 4, 4).MaxPool2dWithIndices((3, 3), (1, 1), (1, 1));
        Assert.Equal([5, 5, 5, 2, 8, 8, 5, 2, 8, 8, 5, 10, 8, 8, 13, 10], indices);
    }

    [Fact]
    public void CeilModeLastWindowMustStartInsideTheInputOrItsPadding()
    {
        // H = 5, kernel 2, stride 2, pad 1: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the fourth window would start at padded row
        // 3·2 = 6 ≥ H + pad = 6, inside the bottom padding alone, so it is dropped: 3 windows (PyTorch's rule)
        Assert.Equal(3, new Pool2dGeometry(1, 1, 5, 5, 2, 2, 2, 2, 1, 1, ceilMode: true).OutHeight);
        // H = 6: ⌈(6 + 2 − 2)/2⌉ + 1 = 4 and 3·2 = 6 < 7: four windows, the last holding row 5 and a padded row
        Assert.Equal(4, new Pool2dGeometry(1, 1, 6, 6, 2, 2, 2, 2, 1, 1, ceilMode: true).OutHeight);
        // without ceil mode: ⌊(6 + 2 − 2)/2⌋ + 1 = 4 as well; with H = 5: ⌊5/2⌋ + 1 = 3
        Assert.Equal(3, new Pool2dGeometry(1, 1, 5, 5, 2, 2, 2, 2, 1, 1).OutHeight);
        Assert.Equal(new Shape(1, 1, 3, 3), new MaxPool2d(2, padding: 1, ceilMode: true).Forward(Input(1, 1, 5, 5)).Shape);
    }

    [Fact]
    public void AvgPoolCeilModeCountsPaddingOnlyInsideThePaddedBorder()
    {
        // F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True) on [1, 1, 6, 7]: the last row of windows starts
        // at row 5 and reaches row 7, past the padded border (row 6): its divisor is 2·3, not 9
        var x = Input(1, 1, 6, 7);
        Check(x, new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true).Forward(x), [1, 1, 4, 4],
            [-0.16666666666666666, 0.16666666666666666, -0.6805555555555556, 0.2916666666666667, -0.1388888888888889, 0.4166666666666667,
             -0.1527777777777778, 1.25, -0.4583333333333333, 0.6388888888888888, 0.06944444444444445, -0.4722222222222222,
             0.041666666666666664, 0.375, 0.7916666666666666, -0.6666666666666666],
            [0.1111111111111111, 0.3333333333333333, 0.2222222222222222, 0.5555555555555556, 0.3333333333333333, 0.7777777777777777,
             0.4444444444444444, 0.6666666666666667, 1.0, 0.3333333333333333, 0.888888888888889, 0.5555555555555556, 1.3333333333333333,
             0.7777777777777777, 0.5555555555555556, 0.6666666666666667, 0.1111111111111111, 0.3333333333333333, 0.2222222222222222,
             0.5555555555555556, 0.3333333333333333, 1.0, 1.6666666666666667, 0.6666666666666667, 1.0, 0.3333333333333333,
             0.888888888888889, 0.5555555555555556, 0.4444444444444444, 1.0, 0.5555555555555556, 0.6666666666666667,
             0.1111111111111111, 0.3333333333333333, 0.2222222222222222, 0.9444444444444444, 2.1666666666666665, 1.2222222222222223,
             2.166666666666667, 0.9444444444444444, 1.3333333333333335, 0.38888888888888884]);

        // count_include_pad=False: every window divides by the real elements it holds
        var x2 = Input(1, 1, 6, 7);
        var pool = new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true);
        Assert.Equal("AvgPool2d(3x3, stride 2, pad 1, ceil, pad excluded)", pool.Describe());
        Check(x2, pool.Forward(x2), [1, 1, 4, 4],
            [-0.375, 0.25, -1.0208333333333333, 0.65625, -0.20833333333333334, 0.4166666666666667, -0.1527777777777778, 1.875,
             -0.6875, 0.6388888888888888, 0.06944444444444445, -0.7083333333333334, 0.125, 0.75, 1.5833333333333333, -2.0],
            [0.25, 0.5833333333333333, 0.3333333333333333, 0.8333333333333333, 0.5, 1.5, 1.0, 1.0833333333333335, 1.5277777777777777,
             0.4444444444444444, 1.1666666666666665, 0.7222222222222222, 2.2222222222222223, 1.5, 0.8333333333333334, 0.9444444444444444,
             0.1111111111111111, 0.3333333333333333, 0.2222222222222222, 0.7222222222222222, 0.5, 1.5, 2.166666666666667,
             0.6666666666666667, 1.0, 0.3333333333333333, 1.1666666666666665, 0.8333333333333333, 0.6666666666666666, 1.2222222222222223,
             0.5555555555555556, 0.6666666666666667, 0.1111111111111111, 0.4444444444444444, 0.3333333333333333, 2.1666666666666665,
             4.055555555555555, 1.8888888888888888, 3.666666666666667, 1.777777777777778, 2.611111111111111, 0.8333333333333333]);

        // F.avg_pool2d(x, 2, 2, ceil_mode=True) on 5x5 without padding: the cut windows average what they hold
        var x3 = Input(1, 1, 5, 5);
        Check(x3, new AvgPool2d(2, ceilMode: true).Forward(x3), [1, 1, 3, 3],
            [-1.84375, 1.09375, -1.4375, 0.21875, 0.0, 0.625, 0.1875, -3.1875, 3.75],
            [0.25, 0.25, 0.5, 0.5, 1.5, 0.25, 0.25, 0.5, 0.5, 1.5, 1.0, 1.0, 1.25, 1.25, 0.5, 1.0, 1.0, 1.25, 1.25, 0.5, 1.0, 1.0, 1.5, 1.5, 4.0]);
    }

    [Fact]
    public void AdaptiveAvgPoolToAnySize()
    {
        // F.adaptive_avg_pool2d(x, (3, 2)) on [1, 2, 5, 7]: rows {0,1} {1,2,3} {3,4}, columns {0..3} {3..6}
        var x = Input(1, 2, 5, 7);
        var pool = new AdaptiveAvgPool2d(new Size2d(3, 2));
        Assert.Equal("AdaptiveAvgPool2d(3x2)", pool.Describe());
        Check(x, pool.Forward(x), [1, 2, 3, 2],
            [-0.484375, -0.8125, 0.20833333333333334, 0.40625, 0.375, 0.046875, 0.421875, 0.09375, 0.0625, 0.2604166666666667, -0.296875, 0.953125],
            [0.125, 0.125, 0.125, 0.375, 0.25, 0.25, 0.25, 0.375, 0.375, 0.375, 0.9583333333333333, 0.5833333333333333, 0.5833333333333333,
             0.5833333333333333, 0.25, 0.25, 0.25, 0.5833333333333333, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.875,
             0.875, 0.875, 1.3333333333333333, 0.4583333333333333, 0.4583333333333333, 0.4583333333333333, 0.625, 0.625, 0.625, 0.75,
             0.125, 0.125, 0.125, 0.25, 0.25, 0.25, 0.625, 0.375, 0.375, 0.375, 0.5833333333333333, 0.5833333333333333,
             0.5833333333333333, 1.375, 0.7916666666666667, 0.7916666666666667, 0.7916666666666667, 0.3333333333333333,
             0.3333333333333333, 0.3333333333333333, 0.75, 0.4166666666666667, 0.4166666666666667, 0.4166666666666667,
             0.4583333333333333, 0.4583333333333333, 0.4583333333333333, 1.125, 0.6666666666666667, 0.6666666666666667,
             0.6666666666666667, 0.125, 0.125, 0.125, 0.375, 0.25, 0.25, 0.25]);

        // larger than the input: F.adaptive_avg_pool2d(inp(1, 1, 3, 3), (4, 5)), windows of one or two rows and columns
        var small = Input(1, 1, 3, 3);
        Check(small, small.AdaptiveAvgPool2d((4, 5)), [1, 1, 4, 5],
            [-6.25, -3.9375, -1.625, 0.6875, 3.0, -5.625, -3.3125, -1.0, 1.3125, 3.625, -4.375, -2.0625, 0.25, 2.5625, 4.875,
             -3.75, -1.4375, 0.875, 3.1875, 5.5],
            [3.0, 9.0, 10.5, 2.0, 6.0, 7.0, 3.0, 9.0, 10.5]);

        // 1x1 is the global average, kept 4-D
        var g = Input(2, 3, 4, 5);
        AssertClose(g.GlobalAvgPool2d().ToDoubleArray(), new AdaptiveAvgPool2d(1).Forward(g).ToDoubleArray(), 1e-15);
        Assert.Equal(new Shape(2, 3, 1, 1), new AdaptiveAvgPool2d(1).Forward(g).Shape);
        Assert.Throws<Errors.ValueException>(() => new AdaptiveAvgPool2d(new Size2d(0, 2)));
        Assert.Throws<Errors.ShapeException>(() => new AdaptiveAvgPool2d(2).Forward(Tensor.Zeros([2, 3])));
    }

    [Fact]
    public void GradientsOfTheNewOptions()
    {
        var x = Rand64([2, 2, 7, 6], 51);
        AssertGradients(() => x.MaxPool2d((3, 3), (2, 2), (1, 1), ceilMode: true), x);
        AssertGradients(() => x.MaxPool2dWithIndices((2, 2), ceilMode: true).Output, x);
        AssertGradients(() => x.AvgPool2d((3, 3), (2, 2), (1, 1), countIncludePad: true, ceilMode: true), x);
        AssertGradients(() => x.AvgPool2d((3, 2), (2, 2), (1, 1), countIncludePad: false, ceilMode: true), x);
        AssertGradients(() => x.AvgPool2d((2, 2), ceilMode: true), x);
        AssertGradients(() => x.AdaptiveAvgPool2d((3, 4)), x);
        AssertGradients(() => x.AdaptiveAvgPool2d((9, 5)), x);
    }

    [Fact]
    public void Float32CeilModeTakesTheGeneralPathForCutPairs()
    {
        // 2x2 stride-2 windows on an odd map: the SIMD pair kernel must leave the cut windows to the general loop
        var x64 = Input(3, 2, 7, 9).Detach();
        var x32 = x64.ToDType(DType.Float32);
        var y64 = x64.MaxPool2d((2, 2), ceilMode: true);
        var y32 = x32.MaxPool2d((2, 2), ceilMode: true);
        Assert.Equal(new Shape(3, 2, 4, 5), y32.Shape);
        AssertClose(y64.ToDoubleArray(), y32.ToDoubleArray(), 0);
        x32.RequiresGrad = true;
        x64.RequiresGrad = true;
        x32.MaxPool2d((2, 2), ceilMode: true).Sum().Backward();
        x64.MaxPool2d((2, 2), ceilMode: true).Sum().Backward();
        AssertClose(x64.Grad!.ToDoubleArray(), x32.Grad!.ToDoubleArray(), 0);
    }
}
