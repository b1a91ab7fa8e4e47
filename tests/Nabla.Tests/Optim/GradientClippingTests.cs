using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

public class GradientClippingTests
{
    [Fact]
    public void ClipByGlobalNormRescalesAllGradientsTogether()
    {
        var a = Param(0, 0);
        var b = Param(0);
        var none = Param(5);
        SetGrad(a, 3, 4); SetGrad(b, 12);
        // ‖g‖ = √(9 + 16 + 144) = 13;  scale = 6.5/13 = 0.5
        double norm = GradientClipping.ClipByGlobalNorm([a, b, none], 6.5);
        Assert.Equal(13, norm, 12);
        Assert.Equal([1.5, 2], a.Grad!.ToDoubleArray());
        Assert.Equal([6.0], b.Grad!.ToDoubleArray());
        Assert.Null(none.Grad);
    }

    [Fact]
    public void ClipByGlobalNormLeavesSmallGradientsAlone()
    {
        var a = Param(0, 0);
        SetGrad(a, 3, 4);
        Assert.Equal(5, GradientClipping.ClipByGlobalNorm([a], 5), 12);
        Assert.Equal([3.0, 4], a.Grad!.ToDoubleArray());
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
