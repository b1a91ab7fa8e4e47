using Nabla.Errors;
using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN.Recurrent;

public class SequenceHeadTests
{
    // x [N=2, T=3, F=2]; pooled vectors computed by hand below.
    private static readonly double[] Values = [1, -2, 3, 4, -5, 6, 0.5, 0.25, 2, -1, 7, 1];

    private static double[] Apply(SequenceHead head, double[] pooled)
    {
        var w = head.Linear.Weight.Data.ToDoubleArray();
        var b = head.Linear.Bias!.Data.ToDoubleArray();
        var r = new double[4];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 2; o++)
                r[n * 2 + o] = b[o] + w[o * 2] * pooled[n * 2] + w[o * 2 + 1] * pooled[n * 2 + 1];
        return r;
    }

    [Theory]
    [InlineData(SequencePooling.Last, new double[] { -5, 6, 7, 1 })]
    [InlineData(SequencePooling.Mean, new double[] { -1.0 / 3, 8.0 / 3, 9.5 / 3, 0.25 / 3 })]
    [InlineData(SequencePooling.Max, new double[] { 3, 6, 7, 1 })]
    public void PoolsOverTimeThenAppliesTheLinearLayer(SequencePooling pooling, double[] pooled)
    {
        var head = new SequenceHead(2, 2, pooling, generator: new Generator(1));
        head.To(DType.Float64);
        var y = head.Forward(Tensor.FromArray(Values, 2, 3, 2));
        Assert.Equal(new Shape(2, 2), y.Shape);
        AssertClose(Apply(head, pooled), y.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void TimeMajorLastStepIsTheLastRowBlock()
    {
        var head = new SequenceHead(2, 2, SequencePooling.Last, batchFirst: false, generator: new Generator(1));
        head.To(DType.Float64);
        // [T=3, N=2, F=2]: the last step is the last two rows.
        var y = head.Forward(Tensor.FromArray(Values, 3, 2, 2));
        AssertClose(Apply(head, [2, -1, 7, 1]), y.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        var head = new SequenceHead(2, 3, SequencePooling.Mean, generator: new Generator(2));
        head.To(DType.Float64);
        var x = Rand64([2, 4, 2], 3);
        AssertGradients(() => head.Forward(x), [x, .. head.Parameters().Select(p => p.Data)]);
    }

    [Fact]
    public void WrongFeatureCountNamesTheHead()
    {
        var head = new SequenceHead(4, 2);
        var e = Assert.Throws<ShapeException>(() => head.Forward(Tensor.Zeros([2, 3, 5])));
        Assert.Equal("SequenceHead(Last, 4 → 2): expected input [N, T, 4], got [2,3,5]", e.Message);
    }
}
