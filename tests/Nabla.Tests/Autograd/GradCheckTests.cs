using Nabla.Autograd;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Autograd;

public class GradCheckTests
{
    /// <summary>y = 2x with a backward that is wrong by 1% in a single element: the checker must notice.</summary>
    [Fact]
    public void CatchesAOnePercentErrorInOneElement()
    {
        var x = Rand64([4, 5], 1);
        Tensor BadDouble()
        {
            var y = Tensor.Wrap(x.ToDoubleArray().Select(v => 2 * v).ToArray(), 4, 5);
            return y.Record("bad_double", [x], g =>
            {
                var dx = g * 2.0;
                dx.SetFlat(7, dx.GetFlat(7) * 1.01);
                x.AccumulateGrad(dx);
            });
        }
        var r = GradCheck.Check(BadDouble, [x]);
        Assert.False(r.Passed);
        Assert.Equal(7, r.WorstIndex[0]);
        Assert.InRange(r.MaxRelativeError[0], 0.009, 0.011);
    }

    [Fact]
    public void PassesACorrectBackward()
    {
        var x = Rand64([4, 5], 2);
        var r = GradCheck.Check(() => (x * x).Sum(), [x]);
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.MaxRelativeError[0] < 1e-8, r.ToString());
    }

    [Fact]
    public void RejectsFloat32Inputs()
    {
        var x = Tensor.Ones([2]); x.RequiresGrad = true;
        var ex = Assert.Throws<Nabla.Errors.ValueException>(() => GradCheck.Check(() => x.Sum(), [x]));
        Assert.Contains("Float64", ex.Message);
    }

    [Fact]
    public void JacobianOfReluIsDiagonalWithStepEntries()
    {
        var x = Tensor.FromArray([-1.0, 2.0, 0.5, -3.0]);
        var j = GradCheck.Jacobian(t => t.ReLU(), x);
        Assert.Equal(new Shape(4, 4), j.Shape);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(r == c && x.GetFlat(r) > 0 ? 1.0 : 0.0, j[r, c]);
    }

    [Fact]
    public void JacobianOfLinearMapIsTheMatrix()
    {
        // f(x) = W x: the Jacobian is W itself.
        var w = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var x = Tensor.FromArray(new double[] { 0.1, -0.2, 0.3 });
        var j = GradCheck.Jacobian(t => w.Matmul(t), x);
        Assert.Equal(w.ToDoubleArray(), j.ToDoubleArray());
        var jn = GradCheck.NumericalJacobian(t => w.Matmul(t), x);
        AssertClose(w.ToDoubleArray(), jn.ToDoubleArray(), 1e-8);
    }

    [Fact]
    public void SquaredNormOfLinearTransformationFromTheLectures()
    {
        // L(x, W) = ||W·x||²: dL/dW = 2 (W x) xᵀ, dL/dx = 2 Wᵀ (W x).
        var w = Rand64([3, 4], 5);
        var x = Rand64([4], 6);
        AssertGradients(() => w.Matmul(x).Square().Sum(), w, x);
        var q = w.Detach().Matmul(x.Detach());
        w.Grad = null; x.Grad = null;
        w.Matmul(x).Square().Sum().Backward();
        var expected = new double[12];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) expected[i * 4 + k] = 2 * q.GetFlat(i) * x.GetFlat(k);
        AssertClose(expected, w.Grad!.ToDoubleArray(), 1e-12);
    }
}
