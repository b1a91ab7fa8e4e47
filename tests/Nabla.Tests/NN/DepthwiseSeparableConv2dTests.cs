using Nabla.Diagnostics;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class DepthwiseSeparableConv2dTests
{
    [Fact]
    public void LectureExampleNeedsFarFewerMultiplications()
    {
        // 12x12x3 input, 5x5 kernels, no padding, 256 output channels.
        var s = new DepthwiseSeparableConv2d(3, 256, 5).Summary(1, 3, 12, 12);
        var rows = s.Rows.ToDictionary(r => r.Name);
        Assert.Equal(new Shape(1, 3, 8, 8), rows["depthwise"].OutputShape);
        Assert.Equal(new Shape(1, 256, 8, 8), rows["pointwise"].OutputShape);
        Assert.Equal(5L * 5 * 1 * 8 * 8 * 3, rows["depthwise"].MultiplyAccumulates);      // each channel filtered alone
        Assert.Equal(4_800, rows["depthwise"].MultiplyAccumulates);
        Assert.Equal(1L * 1 * 3 * 8 * 8 * 256, rows["pointwise"].MultiplyAccumulates);    // 1x1x3 combinations, 256 times
        Assert.Equal(49_152, rows["pointwise"].MultiplyAccumulates);
        Assert.Equal(53_952, s.TotalMultiplyAccumulates);
        long standard = new Conv2d(3, 256, 5).Summary(1, 3, 12, 12).TotalMultiplyAccumulates;
        Assert.Equal(1_228_800, standard);
        Assert.True(standard > 22 * s.TotalMultiplyAccumulates);
        // Parameters: 3 filters of 5x5x1, then 256 filters of 1x1x3 with a bias each.
        Assert.Equal(3 * 5 * 5 + (3 + 1) * 256, s.TotalParameters);
    }

    [Fact]
    public void TheNotesCountFor256KernelsWhereTheirTextSays125()
    {
        // Notes 003 set the task as "12*12*3 raw image to achieve 125 convolved" maps but multiply by 256 in two places
        // (1,228,800 = 5·5·3·8·8·256 and 49,152 = 1·1·3·8·8·256). Nabla's summary for 125 maps, and the relation of both:
        var separable = new DepthwiseSeparableConv2d(3, 125, 5).Summary(1, 3, 12, 12);
        var rows = separable.Rows.ToDictionary(r => r.Name);
        Assert.Equal(4_800, rows["depthwise"].MultiplyAccumulates);               // unchanged: 5·5·1·8·8·3
        Assert.Equal(3L * 8 * 8 * 125, rows["pointwise"].MultiplyAccumulates);   // 24,000
        Assert.Equal(28_800, separable.TotalMultiplyAccumulates);
        long standard = new Conv2d(3, 125, 5).Summary(1, 3, 12, 12).TotalMultiplyAccumulates;
        Assert.Equal(600_000, standard);                                          // 4,800 per kernel, 125 kernels
        Assert.Equal(1_228_800, 4_800 * 256);
        Assert.Equal(49_152, 3 * 8 * 8 * 256);
        // Either way one kernel of 5·5·3 weights costs 75 multiplications per position, 8·8 positions: 4,800.
        Assert.Equal(4_800, new Conv2d(3, 1, 5).Summary(1, 3, 12, 12).TotalMultiplyAccumulates);
    }

    [Fact]
    public void IsDepthwiseThenPointwise()
    {
        var m = new DepthwiseSeparableConv2d(3, 5, 3, stride: 2, padding: 1, depthMultiplier: 2, generator: new Generator(1));
        m.To(DType.Float64);
        Assert.Equal(new Shape(6, 1, 3, 3), m.Depthwise.Weight.Shape);
        Assert.Equal(new Shape(5, 6, 1, 1), m.Pointwise.Weight.Shape);
        Assert.Null(m.Depthwise.Bias);
        Assert.Equal(new[] { "depthwise.weight", "pointwise.weight", "pointwise.bias" }, m.NamedParameters().Select(p => p.Name));
        var x = Rand64([2, 3, 7, 7], 2);
        var depth = Tensor.Conv2d(x, m.Depthwise.Weight, null, (2, 2), (1, 1), groups: 3);
        var expected = Tensor.Conv2d(depth, m.Pointwise.Weight, m.Pointwise.Bias!.Data);
        AssertClose(expected.ToDoubleArray(), m.Forward(x).ToDoubleArray(), 1e-14);

        // Depthwise outputs 2c and 2c+1 read only input channel c: changing channel 0 leaves outputs 2..5 alone.
        var d0 = m.Depthwise.Forward(x).ToDoubleArray();
        var x2 = x.Detach().Clone();
        for (int i = 0; i < 7; i++) x2[1, 0, i, i] += 1;
        var d1 = m.Depthwise.Forward(x2).ToDoubleArray();
        int plane = 4 * 4, perSample = 6 * plane;
        for (int i = 0; i < d0.Length; i++)
        {
            bool readsChannel0 = i % perSample < 2 * plane && i >= perSample;
            if (!readsChannel0) Assert.Equal(d0[i], d1[i]);
        }
        Assert.NotEqual(d0[perSample + 5], d1[perSample + 5]);
    }

    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        var m = new DepthwiseSeparableConv2d(2, 3, 3, stride: 2, padding: 1, depthMultiplier: 2, generator: new Generator(4));
        m.To(DType.Float64);
        var x = Rand64([2, 2, 5, 5], 3);
        AssertGradients(() => m.Forward(x), x, m.Depthwise.Weight.Data, m.Pointwise.Weight.Data, m.Pointwise.Bias!.Data);
    }

    [Fact]
    public void WrongInputShapeNamesTheLayer()
    {
        var m = new DepthwiseSeparableConv2d(3, 256, 5);
        var ex = Assert.Throws<ShapeException>(() => m.Forward(Tensor.Zeros([1, 1, 12, 12])));
        Assert.Equal("DepthwiseSeparableConv2d(3 → 256, 5x5): expected input [N,3,H,W], got [1,1,12,12]", ex.Message);
        Assert.Equal("DepthwiseSeparableConv2d(3 → 8, 3x3, pad 1, depth ×2, no bias)",
            new DepthwiseSeparableConv2d(3, 8, 3, padding: 1, depthMultiplier: 2, bias: false).Describe());
        Assert.Throws<ValueException>(() => new DepthwiseSeparableConv2d(3, 8, 3, depthMultiplier: 0));
    }
}
