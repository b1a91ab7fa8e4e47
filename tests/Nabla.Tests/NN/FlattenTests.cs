using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class FlattenTests
{
    [Fact]
    public void KeepsTheBatchAxisAndPreservesRowMajorOrder()
    {
        var x = Tensor.Arange(2 * 3 * 2 * 2).Reshape(2, 3, 2, 2);
        var y = new Flatten().Forward(x);
        Assert.Equal(new Shape(2, 12), y.Shape);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < 2; h++)
                    for (int w = 0; w < 2; w++)
                        Assert.Equal(x[n, c, h, w], y[n, c * 4 + h * 2 + w]);
        Assert.Equal(new Shape(2, 6, 2), new Flatten(1, 2).Forward(x).Shape);
    }

    [Fact]
    public void GradientFlowsThrough()
    {
        var x = Rand64([2, 3, 2], seed: 4);
        AssertGradients(() => new Flatten().Forward(x).Square(), x);
    }

    [Fact]
    public void RankOneInputIsAShapeError()
    {
        var ex = Assert.Throws<ShapeException>(() => new Flatten().Forward(Tensor.Zeros([5])));
        Assert.Contains("Flatten", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }
}
