using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class MaxoutTests
{
    [Fact]
    public void OutputIsTheMaximumOfTheLinearPieces()
    {
        var m = new Maxout(4, 3, pieces: 2, new Generator(1));
        m.To(DType.Float64);
        var x = Rand64([5, 4], seed: 2);
        var y = m.Forward(x);
        Assert.Equal(new Shape(5, 3), y.Shape);
        var w = m.Linear.Weight.Data;
        var b = m.Linear.Bias!.Data;
        for (int n = 0; n < 5; n++)
            for (int j = 0; j < 3; j++)
            {
                double best = double.NegativeInfinity;
                for (int i = 0; i < 2; i++)
                {
                    int row = j * 2 + i;
                    double z = b[row];
                    for (int k = 0; k < 4; k++) z += w[row, k] * x[n, k];
                    best = Math.Max(best, z);
                }
                Assert.Equal(best, y[n, j], 12);
            }
    }

    [Fact]
    public void ReLUIsTheSpecialCaseWithAZeroPiece()
    {
        // Piece 0: w·x + b, piece 1: constant 0  ⇒  maxout = ReLU(w·x + b).
        var m = new Maxout(2, 1, pieces: 2);
        m.To(DType.Float64);
        m.Linear.Weight.Data.CopyFrom(Tensor.FromArray(new double[] { 1, -2, 0, 0 }, 2, 2));
        m.Linear.Bias!.Data.CopyFrom(Tensor.FromArray(new double[] { 0.5, 0 }, 2));
        var x = Tensor.FromArray(new double[] { 1, 1, 3, 0.5, -1, 0 }, 3, 2);
        AssertClose([0, 2.5, 0], m.Forward(x).ToDoubleArray(), 1e-12); // z = −0.5, 2.5, −0.5
    }

    [Fact]
    public void GradientsInFloat64()
    {
        var m = new Maxout(3, 2, pieces: 3, new Generator(4));
        m.To(DType.Float64);
        var x = Rand64([4, 3], seed: 5);
        AssertGradients(() => m.Forward(x), x, m.Linear.Weight.Data, m.Linear.Bias!.Data);
    }

    [Fact]
    public void ParameterCountAndShapeErrors()
    {
        Assert.Equal((10 + 1) * 4 * 3, new Maxout(10, 4, 3).ParameterCount());
        var ex = Assert.Throws<ShapeException>(() => new Maxout(3, 2).Forward(Tensor.Zeros([4, 5])));
        Assert.Contains("Maxout(3 → 2, k=2)", ex.Message);
        Assert.Contains("[4,5]", ex.Message);
    }
}
