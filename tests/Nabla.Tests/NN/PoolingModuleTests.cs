using Nabla.Diagnostics;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class PoolingModuleTests
{
    // One 4x4 channel with the values 1..16 row by row, and a second channel holding their negatives.
    private static Tensor Ramp()
    {
        var v = Enumerable.Range(1, 16).Select(i => (double)i).ToList();
        return Tensor.FromArray([.. v, .. v.Select(x => -x)], 1, 2, 4, 4);
    }

    [Fact]
    public void MaxPoolTakesTheLargestOfEachWindow()
    {
        var y = new MaxPool2d(2).Forward(Ramp());
        Assert.Equal(new Shape(1, 2, 2, 2), y.Shape);
        // Windows {1,2,5,6} {3,4,7,8} {9,10,13,14} {11,12,15,16}, and their negatives.
        AssertClose([6, 8, 14, 16, -1, -3, -9, -11], y.ToDoubleArray(), 0);
        // Overlapping 3x3 windows with stride 1: the maximum is the bottom-right corner of each window.
        AssertClose([11, 12, 15, 16], new MaxPool2d(3, stride: 1).Forward(Ramp()).ToDoubleArray()[..4], 0);
    }

    [Fact]
    public void AvgPoolAveragesEachWindow()
    {
        var y = new AvgPool2d(2).Forward(Ramp());
        AssertClose([3.5, 5.5, 11.5, 13.5, -3.5, -5.5, -11.5, -13.5], y.ToDoubleArray(), 0);
        // Padding 1, kernel 2, stride 2: the top-left window holds only the value 1 and three padded zeros.
        Assert.Equal(1 / 4.0, new AvgPool2d(2, padding: 1).Forward(Ramp())[0, 0, 0, 0], 12);
        Assert.Equal(1, new AvgPool2d(2, padding: 1, countIncludePad: false).Forward(Ramp())[0, 0, 0, 0], 12);
    }

    [Fact]
    public void GlobalAvgPoolAveragesEachChannel()
    {
        var y = new GlobalAvgPool2d().Forward(Ramp());
        Assert.Equal(new Shape(1, 2), y.Shape);
        AssertClose([8.5, -8.5], y.ToDoubleArray(), 0); // (1 + … + 16) / 16
    }

    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        var x = Rand64([2, 3, 6, 5], 1);
        AssertGradients(() => new MaxPool2d(2).Forward(x), x);
        AssertGradients(() => new MaxPool2d(3, stride: 2, padding: 1).Forward(x), x);
        AssertGradients(() => new AvgPool2d((2, 3), stride: 1).Forward(x), x);
        AssertGradients(() => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false).Forward(x), x);
        AssertGradients(() => new GlobalAvgPool2d().Forward(x), x);
    }

    [Fact]
    public void HaveNoParametersAndNoMacs()
    {
        var model = new Sequential(new MaxPool2d(2), new AvgPool2d(2), new GlobalAvgPool2d());
        var s = model.Summary(3, 4, 8, 8);
        Assert.Equal(0, s.TotalParameters);
        Assert.Equal(0, s.TotalMultiplyAccumulates);
        Assert.Equal(new Shape?[] { new Shape(3, 4, 4, 4), new Shape(3, 4, 2, 2), new Shape(3, 4) }, s.Rows.Select(r => r.OutputShape));
    }

    [Fact]
    public void DescribeAndValidate()
    {
        Assert.Equal("MaxPool2d(2x2)", new MaxPool2d(2).Describe());
        Assert.Equal("MaxPool2d(3x3, stride 2, pad 1)", new MaxPool2d(3, 2, 1).Describe());
        Assert.Equal("AvgPool2d(2x3, stride 1)", new AvgPool2d((2, 3), 1).Describe());
        Assert.Equal("AvgPool2d(3x3, pad 1, pad excluded)", new AvgPool2d(3, padding: 1, countIncludePad: false).Describe());
        Assert.Contains("half the kernel", Assert.Throws<ValueException>(() => new MaxPool2d(2, padding: 2)).Message);
        Assert.Contains("stride", Assert.Throws<ValueException>(() => new AvgPool2d(2, stride: 0)).Message);
        var ex = Assert.Throws<ShapeException>(() => new MaxPool2d(2).Forward(Tensor.Zeros([64, 784])));
        Assert.Equal("MaxPool2d(2x2): expected input [N,C,H,W], got [64,784]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => new AvgPool2d(5).Forward(Tensor.Zeros([1, 1, 3, 3])));
        Assert.StartsWith("AvgPool2d(5x5): input [1,1,3,3] does not fit", ex.Message);
        Assert.StartsWith("GlobalAvgPool2d: expected input [N,C,H,W]", Assert.Throws<ShapeException>(() => new GlobalAvgPool2d().Forward(Tensor.Zeros([2, 3]))).Message);
    }
}
