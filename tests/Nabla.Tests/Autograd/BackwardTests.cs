using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

public class BackwardTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.FromArray([1f, 2f]); x.RequiresGrad = true;
        (x * 3.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.Equal(new[] { 6f, 6f }, x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void ReusedTensorGetsTheSumOfBothPaths()
    {
        var x = Tensor.Scalar(3); x.RequiresGrad = true;
        var y = x * x + x; // dy/dx = 2x + 1 = 7
        y.Backward();
        Assert.Equal(7.0, x.Grad!.Item());
    }

    [Fact]
    public void SecondBackwardThroughFreedGraphIsAClearError()
    {
        var x = Tensor.Scalar(2); x.RequiresGrad = true;
        var y = x.Exp();
        y.Backward();
        var ex = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Contains("freed", ex.Message);
        Assert.Contains("exp", ex.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Tensor.Scalar(2); x.RequiresGrad = true;
        var y = x * x;
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(8.0, x.Grad!.Item());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.Scalar(2); x.RequiresGrad = true;
        Tensor y;
        using (GradMode.NoGrad()) y = x * x;
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var x = Tensor.Scalar(2); x.RequiresGrad = true;
        var y = x.Detach() * x; // only the second factor carries gradient: d/dx = detached value 2
        y.Backward();
        Assert.Equal(2.0, x.Grad!.Item());
    }

    [Fact]
    public void NonScalarBackwardNeedsAGradient()
    {
        var x = Tensor.Ones([3]); x.RequiresGrad = true;
        var ex = Assert.Throws<AutogradException>(() => (x * 2.0).Backward());
        Assert.Contains("[3]", ex.Message);
        (x * 2.0).Backward(Tensor.FromArray([1f, 2f, 3f]));
        Assert.Equal(new[] { 2f, 4f, 6f }, x.Grad!.ToArray());
    }

    [Fact]
    public void NonLeafGradientIsOnlyKeptWhenAskedFor()
    {
        var x = Tensor.Scalar(2); x.RequiresGrad = true;
        var h = (x * 3.0).RetainGrad();
        var k = x * 5.0;
        (h * k).Backward();
        Assert.Equal(10.0, h.Grad!.Item()); // d(hk)/dh = k = 10
        Assert.Null(k.Grad);
        Assert.Equal(60.0, x.Grad!.Item()); // d(15x²)/dx = 30x
    }

    [Fact]
    public void MaxGateRoutesTheGradientToTheLargerInputAndToTheFirstOnTies()
    {
        var a = Tensor.FromArray([1f, 5f, 2f]); a.RequiresGrad = true;
        var b = Tensor.FromArray([3f, 4f, 2f]); b.RequiresGrad = true;
        a.Maximum(b).Sum().Backward();
        Assert.Equal(new[] { 0f, 1f, 1f }, a.Grad!.ToArray());
        Assert.Equal(new[] { 1f, 0f, 0f }, b.Grad!.ToArray());

        var x = Tensor.FromArray([2f, 7f, 7f, 1f]); x.RequiresGrad = true;
        x.Max().Backward();
        Assert.Equal(new[] { 0f, 1f, 0f, 0f }, x.Grad!.ToArray());
    }

    [Fact]
    public void MatmulShapeErrorNamesTheOperationAndBothShapes()
    {
        var a = Tensor.Zeros([64, 784]);
        var b = Tensor.Zeros([100, 10]);
        var ex = Assert.Throws<ShapeException>(() => a.Matmul(b));
        Assert.Equal("matmul: [64,784] x [100,10]: inner dimensions 784 and 100 differ", ex.Message);
    }

    [Fact]
    public void BroadcastErrorNamesTheOperationAndShapes()
    {
        var ex = Assert.Throws<ShapeException>(() => Tensor.Zeros([3, 4]) + Tensor.Zeros([3]));
        Assert.Contains("add", ex.Message);
        Assert.Contains("[3,4]", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }
}
