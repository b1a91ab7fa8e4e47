using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Optim;

public class GradientClippingTests
{
    [Fact]
    public void ClipByGlobalNormRescalesAllGradientsTogether()
    {
        // Changed by issue 16: the scale was max/‖g‖ = exactly 0.5 here; PyTorch's is max/(‖g‖ + 1e-6).
        var a = Param(0, 0);
        var b = Param(0);
        var none = Param(5);
        SetGrad(a, 3, 4); SetGrad(b, 12);
        // ‖g‖ = √(9 + 16 + 144) = 13;  scale = 6.5/(13 + 1e-6)
        double norm = GradientClipping.ClipByGlobalNorm([a, b, none], 6.5);
        Assert.Equal(13, norm, 12);
        double scale = 6.5 / (13 + 1e-6);
        Assert.Equal([3 * scale, 4 * scale], a.Grad!.ToDoubleArray());
        Assert.Equal([12 * scale], b.Grad!.ToDoubleArray());
        Assert.Null(none.Grad);
    }

    [Fact]
    public void ClipByGlobalNormLeavesSmallGradientsAlone()
    {
        // Changed by issue 16: a norm of exactly the limit (5) was left alone; under PyTorch's rule it shrinks (below)
        var a = Param(0, 0);
        SetGrad(a, 3, 4);
        Assert.Equal(5, GradientClipping.ClipByGlobalNorm([a], 5.5), 12);
        Assert.Equal([3.0, 4], a.Grad!.ToDoubleArray());
        // 5 + 1e-6 > 5: scaled by 5/(5 + 1e-6); F: a.grad = [3., 4.]; clip_grad_norm_([a], 5) -> [2.99999940000012000, 3.99999920000015985]
        Assert.Equal(5, GradientClipping.ClipByGlobalNorm([a], 5), 12);
        AssertClose([2.99999940000012000, 3.99999920000015985], a.Grad!.ToDoubleArray(), 1e-15);
    }

    [Fact]
    public void ClipByGlobalNormOfAnyOrderMatchesPyTorch()
    {
        // a.grad = [3., -4.], b.grad = [12.] (float64); torch.nn.utils.clip_grad_norm_([a, b], 6.5, norm_type=p)
        // returns the norm and leaves (printed with torch.set_printoptions(precision=17)):
        // p = 1:   19                   a [1.02631573545706667, -1.36842098060942208]  b [4.10526294182826668]
        // p = inf: 12                   a [1.62499986458334478, -2.16666648611112622]  b [6.49999945833337911]
        // p = 3:   12.207054953820634   a [1.59743676720813088, -2.12991568961084132]  b [6.38974706883252352]
        // p = 0.5: 51.78460969082653    a [0.37655974892661231, -0.50207966523548309]  b [1.50623899570644926]
        var cases = new (double P, double Norm, double[] A, double B)[]
        {
            (1, 19, [1.02631573545706667, -1.36842098060942208], 4.10526294182826668),
            (double.PositiveInfinity, 12, [1.62499986458334478, -2.16666648611112622], 6.49999945833337911),
            (3, 12.207054953820634, [1.59743676720813088, -2.12991568961084132], 6.38974706883252352),
            (0.5, 51.78460969082653, [0.37655974892661231, -0.50207966523548309], 1.50623899570644926),
        };
        foreach (var c in cases)
        {
            var a = Param(0, 0);
            var b = Param(0);
            SetGrad(a, 3, -4); SetGrad(b, 12);
            AssertClose([c.Norm], [GradientClipping.ClipByGlobalNorm([a, b], 6.5, c.P)], 1e-15);
            AssertClose(c.A, a.Grad!.ToDoubleArray(), 1e-14);
            AssertClose([c.B], b.Grad!.ToDoubleArray(), 1e-14);
        }
        // the infinity norm of float32 gradients, and NaN left alone
        var f = new Parameter(Tensor.Zeros([3]));
        f.Grad = Tensor.FromArray([1f, -8, 2]);
        Assert.Equal(8, GradientClipping.ClipByGlobalNorm([f], 4, double.PositiveInfinity));
        AssertClose([0.5, -4, 1], f.Grad.ToDoubleArray(), 1e-6);
        f.Grad = Tensor.FromArray([1f, float.NaN, 2]);
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm([f], 4, double.PositiveInfinity)));
        Assert.Equal(1f, f.Grad.ToArray()[0]);
        Assert.Throws<Errors.ValueException>(() => GradientClipping.ClipByGlobalNorm([f], 4, 0));
        Assert.Throws<Errors.ValueException>(() => GradientClipping.ClipByGlobalNorm([f], 4, double.NaN));
    }

    [Fact]
    public void ClipByGlobalNormOnFloat32CoversVectorLanesAndTail()
    {
        // 37 elements gᵢ = i − 18 (−18 … 18): Σ g² = 2·(1² + … + 18²) = 2·18·19·37/6 = 4218
        var p = new Parameter(Tensor.Zeros([37]));
        p.Grad = Tensor.FromArray(Enumerable.Range(0, 37).Select(i => (float)(i - 18)).ToArray());
        double norm = GradientClipping.ClipByGlobalNorm([p], 1);
        Assert.Equal(Math.Sqrt(4218), norm, 9);
        var g = p.Grad.ToDoubleArray();
        Assert.Equal(1, Math.Sqrt(g.Sum(x => x * x)), 5);
        Assert.Equal(-18 / Math.Sqrt(4218), g[0], 6);
        Assert.Equal(18 / Math.Sqrt(4218), g[36], 6);
    }

    [Fact]
    public void ClipByValueClampsEachElement()
    {
        var p = Param(0, 0, 0, 0);
        SetGrad(p, -5, 0.5, 3, -1);
        GradientClipping.ClipByValue([p], 1);
        Assert.Equal([-1, 0.5, 1, -1], p.Grad!.ToDoubleArray());
        var f = new Parameter(Tensor.Zeros([11]));
        f.Grad = Tensor.FromArray(Enumerable.Range(0, 11).Select(i => (float)(i - 5)).ToArray());
        GradientClipping.ClipByValue([f], 2);
        Assert.Equal([-2f, -2, -2, -2, -1, 0, 1, 2, 2, 2, 2], f.Grad.ToArray());
    }

    [Fact]
    public void BadLimitsAreRejected()
    {
        var p = Param(0);
        var e = Assert.Throws<Errors.ValueException>(() => GradientClipping.ClipByGlobalNorm([p], -1));
        Assert.Contains("max norm", e.Message);
        Assert.Contains("-1", e.Message);
        Assert.Throws<Errors.ValueException>(() => GradientClipping.ClipByValue([p], double.NaN));
    }
}
