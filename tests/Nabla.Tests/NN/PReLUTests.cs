using Nabla.Errors;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class PReLUTests
{
    [Fact]
    public void PerChannelSlopesApplyAlongAxisOne()
    {
        var m = new PReLU(3);
        m.Weight.Data = Tensor.FromArray(new float[] { 0.1f, 0.2f, 0.3f }, 3);
        var x = Tensor.Full([2, 3, 2], -1.0);
        x[1, 2, 1] = 4;
        var y = m.Forward(x);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int l = 0; l < 2; l++)
                {
                    double expected = n == 1 && c == 2 && l == 1 ? 4 : -(c + 1) * 0.1;
                    Assert.Equal(expected, y[n, c, l], 6);
                }
    }

    [Fact]
    public void PerChannelGradientsInFloat64()
    {
        var m = new PReLU(3);
        m.To(DType.Float64);
        Init(m, [0.1, -0.4, 0.7]);
        var x = Rand64([2, 3, 4], seed: 3, low: -2, high: 2);
        AssertGradients(() => m.Forward(x), x, m.Weight.Data);
        var x2 = Rand64([5, 3], seed: 4, low: -2, high: 2);
        AssertGradients(() => m.Forward(x2), x2, m.Weight.Data);
    }

    private static void Init(PReLU m, double[] values) => m.Weight.Data.CopyFrom(Tensor.FromArray(values, values.Length));

    [Fact]
    public void WrongChannelCountIsAShapeError()
    {
        var ex = Assert.Throws<ShapeException>(() => new PReLU(3).Forward(Tensor.Zeros([2, 4])));
        Assert.Contains("PReLU(3)", ex.Message);
        Assert.Contains("[2,4]", ex.Message);
    }

    [Fact]
    public void LearnsTheSlopeOfTheData()
    {
        // Targets come from a leaky ReLU with slope 0.3; plain SGD on the MSE moves α from 0.25 to 0.3.
        var gen = new Generator(9);
        var x = Tensor.Uniform([64, 1], -2, 2, gen, DType.Float64);
        var target = Tensor.Where(x.Greater(0), x, x * 0.3);
        var m = new PReLU();
        m.To(DType.Float64);
        double lr = 0.5, first = double.NaN;
        for (int step = 0; step < 30; step++)
        {
            var loss = (m.Forward(x) - target).Square().Mean();
            if (step == 0) first = loss.Item();
            m.ZeroGrad();
            loss.Backward();
            var p = m.Weight;
            p.Data = (p.Data.Detach() - p.Grad! * lr).Detach();
        }
        double alpha = m.Weight.Data.Item();
        Assert.True(Math.Abs(alpha - 0.3) < 1e-3, $"α = {alpha}, expected ≈ 0.3");
        Assert.True(first > 1e-4, "the initial loss must be non-trivial");
    }
}
