using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class EmbeddingTests
{
    [Fact]
    public void LooksUpRowsAndAppendsTheEmbeddingAxis()
    {
        var e = new Embedding(4, 3, generator: new Generator(1));
        var w = e.Weight.Data.ToDoubleArray();
        var y = e.Forward(Tensor.FromArray(new float[] { 2, 0, 3, 2, 1, 1 }, 2, 3));
        Assert.Equal(new Shape(2, 3, 3), y.Shape);
        int[] ids = [2, 0, 3, 2, 1, 1];
        var expected = ids.SelectMany(k => w[(k * 3)..(k * 3 + 3)]).ToArray();
        AssertClose(expected, y.ToDoubleArray(), 0);
    }

    [Fact]
    public void GradientScatterAddsRepeatedIndices()
    {
        var e = new Embedding(5, 2, generator: new Generator(2));
        var ids = Tensor.FromArray(new float[] { 3, 1, 3, 3 }, 2, 2);
        var g = Tensor.FromArray(new float[] { 1, 2, 10, 20, 100, 200, 1000, 2000 }, 2, 2, 2);
        e.Forward(ids).Backward(g);
        // Row 3 receives the gradients of positions 0, 2 and 3; row 1 of position 1; rows 0, 2, 4 nothing.
        AssertClose([0, 0, 10, 20, 0, 0, 1101, 2202, 0, 0], e.Weight.Grad!.ToDoubleArray(), 0);
    }

    [Fact]
    public void GradientMatchesCentralDifferences()
    {
        var e = new Embedding(6, 3, generator: new Generator(3));
        e.To(DType.Float64);
        var ids = Tensor.FromArray(new double[] { 5, 0, 5, 2, 2, 2, 4, 0 }, 2, 4);
        // A nonlinear function of the looked-up vectors, so the check sees different gradients per position.
        AssertGradients(() => e.Forward(ids).Tanh().Square(), e.Weight.Data);
    }

    [Fact]
    public void PaddingRowIsZeroAndGetsNoGradient()
    {
        var e = new Embedding(4, 2, paddingIndex: 0, generator: new Generator(4));
        AssertClose([0, 0], e.Weight.Data.ToDoubleArray()[..2], 0);
        e.Forward(Tensor.FromArray(new float[] { 0, 2, 0 }, 3)).Sum().Backward();
        AssertClose([0, 0, 0, 0, 1, 1, 0, 0], e.Weight.Grad!.ToDoubleArray(), 0);
    }

    [Fact]
    public void OutOfRangeAndNonIntegerIndicesNameTheLayer()
    {
        var e = new Embedding(5, 3);
        var ex = Assert.Throws<ShapeException>(() => e.Forward(Tensor.FromArray(new float[] { 1, 5 }, 1, 2)));
        Assert.Equal("Embedding(5, 3): index 5 (input element 1) is out of range, expected 0 … 4", ex.Message);
        ex = Assert.Throws<ShapeException>(() => e.Forward(Tensor.FromArray(new float[] { -1 }, 1)));
        Assert.Contains("index -1", ex.Message);
        var v = Assert.Throws<ValueException>(() => e.Forward(Tensor.FromArray(new float[] { 1.5f }, 1)));
        Assert.Contains("Embedding(5, 3): input element 0 is 1.5, expected an integer index", v.Message);
        Assert.Throws<ValueException>(() => new Embedding(5, 3, paddingIndex: 5));
    }
}
