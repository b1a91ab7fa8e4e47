using Nabla.Diagnostics;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class Conv2dTests
{
    // The lectures' 6x6 image and "Filter 1" (1 on the diagonal, −1 elsewhere).
    private static readonly double[] LectureImage =
    [
        1, 0, 0, 0, 0, 1,
        0, 1, 0, 0, 1, 0,
        0, 0, 1, 1, 0, 0,
        1, 0, 0, 0, 1, 0,
        0, 1, 0, 0, 1, 0,
        0, 0, 1, 0, 1, 0,
    ];

    private static readonly double[] LectureFilter = [1, -1, -1, -1, 1, -1, -1, -1, 1];

    private static Conv2d LectureConv(int stride)
    {
        var conv = new Conv2d(1, 1, 3, stride: stride, bias: false);
        conv.To(DType.Float64);
        conv.Weight.Data.CopyFrom(Tensor.FromArray(LectureFilter, 1, 1, 3, 3));
        return conv;
    }

    [Fact]
    public void ReproducesTheLectureFilterExample()
    {
        var image = Tensor.FromArray(LectureImage, 1, 1, 6, 6);
        // Hand-computed sums of the filter over every 3x3 window (the slides show the first row starting 3, −1).
        double[] stride1 = [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1];
        var y1 = LectureConv(1).Forward(image);
        Assert.Equal(new Shape(1, 1, 4, 4), y1.Shape);
        AssertClose(stride1, y1.ToDoubleArray(), 0);
        // Stride 2: the slides' 3, −3, then the windows starting on row 2.
        var y2 = LectureConv(2).Forward(image);
        Assert.Equal(new Shape(1, 1, 2, 2), y2.Shape);
        AssertClose([3, -3, -3, 0], y2.ToDoubleArray(), 0);
    }

    /// <summary>Direct loops over the convolution definition, independent of im2col and GEMM.</summary>
    private static double[] NaiveConv(Tensor x, Tensor w, Tensor? b, Size2d s, Size2d p, Size2d d, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int k = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        int oh = (h + 2 * p.H - d.H * (kh - 1) - 1) / s.H + 1, ow = (wd + 2 * p.W - d.W * (kw - 1) - 1) / s.W + 1;
        var y = new double[n * k * oh * ow];
        int idx = 0;
        for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double acc = b is null ? 0 : b[ki];
                        int g = ki / (k / groups);
                        for (int ci = 0; ci < cg; ci++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++)
                                {
                                    int r = i * s.H - p.H + u * d.H, col = j * s.W - p.W + v * d.W;
                                    if (r < 0 || r >= h || col < 0 || col >= wd) continue;
                                    acc += x[ni, g * cg + ci, r, col] * w[ki, ci, u, v];
                                }
                        y[idx++] = acc;
                    }
        return y;
    }

    [Theory]
    [InlineData(1, 0, 1, 1)]
    [InlineData(2, 1, 1, 1)]
    [InlineData(1, 2, 2, 1)]
    [InlineData(2, 1, 1, 2)]
    public void MatchesTheDefinition(int stride, int pad, int dilation, int groups)
    {
        var conv = new Conv2d(4, 6, (3, 2), stride, pad, dilation, groups, generator: new Generator(5));
        conv.To(DType.Float64);
        var x = Rand64([2, 4, 7, 6], 1);
        var expected = NaiveConv(x, conv.Weight, conv.Bias!, stride, pad, dilation, groups);
        AssertClose(expected, conv.Forward(x).ToDoubleArray(), 1e-12);
    }

    [Theory]
    [InlineData(1, 0, 1, 1, true)]
    [InlineData(2, 1, 1, 1, true)]
    [InlineData(1, 1, 2, 2, false)]
    [InlineData(2, 0, 1, 3, true)]
    public void GradientsMatchCentralDifferences(int stride, int pad, int dilation, int groups, bool bias)
    {
        var conv = new Conv2d(6, 6, 3, stride, pad, dilation, groups, bias, new Generator(7));
        conv.To(DType.Float64);
        var x = Rand64([2, 6, 5, 4], 2);
        var inputs = new List<Tensor> { x, conv.Weight.Data };
        if (bias) inputs.Add(conv.Bias!.Data);
        AssertGradients(() => conv.Forward(x), [.. inputs]);
    }

    [Theory]
    [InlineData(5, 1, 6, 1)]
    [InlineData(5, 6, 16, 1)]
    [InlineData(3, 32, 64, 1)]
    [InlineData(3, 4, 8, 2)]
    public void ParameterCountIsFFCPlusOneTimesK(int f, int c, int k, int groups)
    {
        var conv = new Conv2d(c, k, f, groups: groups);
        Assert.Equal((f * f * c / groups + 1) * k, conv.ParameterCount());
        Assert.Equal(new Shape(k, c / groups, f, f), conv.Weight.Shape);
        Assert.Equal(f * f * c / groups * k, new Conv2d(c, k, f, groups: groups, bias: false).ParameterCount());
    }

    [Fact]
    public void InitializesUniformlyInOneOverRootFanIn()
    {
        var conv = new Conv2d(8, 64, 3, generator: new Generator(3));
        double bound = 1 / Math.Sqrt(8 * 3 * 3);
        var w = conv.Weight.Data.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(w.Max(Math.Abs) > 0.98 * bound, "the samples should reach close to the bound");
        // U(−b, b) has variance b²/3; 4,608 samples estimate it within a few percent.
        double variance = w.Select(v => v * v).Average();
        Assert.InRange(variance / (bound * bound / 3), 0.93, 1.07);
        Assert.All(conv.Bias!.Data.ToDoubleArray(), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(conv.Bias!.IsBias);
    }

    [Fact]
    public void StandardConvolutionMacsMatchTheLecture()
    {
        // 12x12x3 input, 256 filters of 5x5x3, no padding: 5·5·3 multiplications at 8·8 positions for each filter.
        var s = new Conv2d(3, 256, 5).Summary(1, 3, 12, 12);
        Assert.Equal(new Shape(1, 256, 8, 8), s.OutputShape);
        Assert.Equal(5L * 5 * 3 * 8 * 8 * 256, s.TotalMultiplyAccumulates);
        Assert.Equal(1_228_800, s.TotalMultiplyAccumulates);
        Assert.Equal((5 * 5 * 3 + 1) * 256, s.TotalParameters);
        Assert.Equal(2 * 1_228_800L, new Conv2d(3, 256, 5).Summary(2, 3, 12, 12).TotalMultiplyAccumulates);
    }

    [Fact]
    public void WrongInputShapeNamesTheLayer()
    {
        var conv = new Conv2d(1, 6, 5, padding: 2);
        var ex = Assert.Throws<ShapeException>(() => conv.Forward(Tensor.Zeros([64, 784])));
        Assert.Equal("Conv2d(1 → 6, 5x5, pad 2): expected input [N,1,H,W], got [64,784]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => conv.Forward(Tensor.Zeros([2, 3, 28, 28])));
        Assert.Contains("expected input [N,1,H,W], got [2,3,28,28]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => new Conv2d(1, 6, 5).Forward(Tensor.Zeros([1, 1, 4, 4])));
        Assert.StartsWith("Conv2d(1 → 6, 5x5): input [1,1,4,4] does not fit", ex.Message);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ValueException>(() => new Conv2d(0, 6, 5));
        Assert.Contains("groups", Assert.Throws<ValueException>(() => new Conv2d(3, 6, 3, groups: 2)).Message);
        Assert.Contains("stride", Assert.Throws<ValueException>(() => new Conv2d(3, 6, 3, stride: 0)).Message);
        Assert.Contains("padding", Assert.Throws<ValueException>(() => new Conv2d(3, 6, 3, padding: -1)).Message);
        Assert.Contains("To(Float64)", Assert.Throws<ValueException>(() => new Conv2d(1, 1, 1).Forward(Tensor.Zeros([1, 1, 2, 2], DType.Float64))).Message);
    }

    [Fact]
    public void DescribesNonDefaultSettings()
    {
        Assert.Equal("Conv2d(1 → 6, 5x5, pad 2)", new Conv2d(1, 6, 5, padding: 2).Describe());
        Assert.Equal("Conv2d(6 → 16, 5x5)", new Conv2d(6, 16, 5).Describe());
        Assert.Equal("Conv2d(4 → 8, 3x5, stride 2x1, pad 1, dilation 2, groups 2, no bias)",
            new Conv2d(4, 8, (3, 5), (2, 1), 1, 2, 2, bias: false).Describe());
        Assert.Equal(new[] { "weight", "bias" }, new Conv2d(1, 6, 5).NamedParameters().Select(p => p.Name));
    }
}
