using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Autograd;

/// <summary>Float64 gradient checks of the convolution and pooling tensor operations.</summary>
public class ConvolutionGradientTests
{
    [Theory]
    [InlineData(1, 0, 1, 1)]
    [InlineData(2, 1, 1, 1)]
    [InlineData(1, 2, 2, 1)]
    [InlineData(2, 1, 1, 2)]
    public void Conv2dThroughInputWeightAndBias(int stride, int pad, int dilation, int groups)
    {
        var x = Rand64([2, 4, 7, 6], 1);
        var w = Rand64([6, 4 / groups, 3, 3], 2);
        var b = Rand64([6], 3);
        AssertGradients(() => Tensor.Conv2d(x, w, b, (stride, stride), (pad, pad), (dilation, dilation), groups), x, w, b);
    }

    [Fact]
    public void DepthwiseConv2d()
    {
        var x = Rand64([2, 3, 5, 5], 1);
        var w = Rand64([3, 1, 3, 3], 2);
        AssertGradients(() => Tensor.Conv2d(x, w, null, padding: (1, 1), groups: 3), x, w);
    }

    [Fact]
    public void MaxPool2d()
    {
        var x = Rand64([2, 3, 6, 6], 1);
        AssertGradients(() => x.MaxPool2d((2, 2)), x);
        AssertGradients(() => x.MaxPool2d((3, 3), (2, 2), (1, 1)), x);
    }

    [Fact]
    public void AvgPool2dAndGlobal()
    {
        var x = Rand64([2, 3, 6, 5], 1);
        AssertGradients(() => x.AvgPool2d((2, 2)), x);
        AssertGradients(() => x.AvgPool2d((3, 3), (2, 2), (1, 1), countIncludePad: false), x);
        AssertGradients(() => x.GlobalAvgPool2d(), x);
    }

    [Fact]
    public void MaxPoolRoutesTheGradientToTheMaximum()
    {
        var x = Tensor.FromArray([1f, 5f, 2f, 3f], 1, 1, 2, 2);
        x.RequiresGrad = true;
        x.MaxPool2d((2, 2)).Sum().Backward();
        Assert.Equal(new[] { 0f, 1f, 0f, 0f }, x.Grad!.ToArray());
    }

    [Fact]
    public void Conv2dShapeErrorsNameBothShapes()
    {
        var ex = Assert.Throws<Nabla.Errors.ShapeException>(() => Tensor.Conv2d(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([4, 2, 3, 3])));
        Assert.Contains("3 channels", ex.Message);
        Assert.Contains("[4,2,3,3]", ex.Message);
    }
}
