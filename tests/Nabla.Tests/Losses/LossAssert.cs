using Nabla.Losses;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Losses;

/// <summary>Helpers for loss tests: reference reductions of hand-computed per-sample losses and small tensor builders.</summary>
internal static class LossAssert
{
    /// <summary>Runs <paramref name="make"/> with each reduction and compares with the per-sample reference values.</summary>
    /// <param name="make">Builds the loss for a reduction and evaluates it.</param>
    /// <param name="perSample">The hand-computed lₙ.</param>
    /// <param name="meanDenominator">What Mean divides by (N unless weighted).</param>
    /// <param name="tol">Relative tolerance.</param>
    public static void AllReductions(Func<Reduction, Tensor> make, double[] perSample, double? meanDenominator = null, double tol = 1e-12)
    {
        var none = make(Reduction.None);
        Assert.Equal(new[] { perSample.Length }, none.Shape.ToArray());
        TestUtil.AssertClose(perSample, none.ToDoubleArray(), tol);

        var sum = make(Reduction.Sum);
        Assert.Equal(0, sum.Rank);
        TestUtil.AssertClose([perSample.Sum()], [sum.Item()], tol);

        var mean = make(Reduction.Mean);
        Assert.Equal(0, mean.Rank);
        TestUtil.AssertClose([perSample.Sum() / (meanDenominator ?? perSample.Length)], [mean.Item()], tol);
    }

    public static Tensor T64(double[,] v, bool grad = false)
    {
        int r = v.GetLength(0), c = v.GetLength(1);
        var data = new double[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) data[i * c + j] = v[i, j];
        var t = Tensor.FromArray(data, r, c);
        t.RequiresGrad = grad;
        return t;
    }

    public static Tensor T32(double[,] v) => T64(v).ToDType(DType.Float32);

    public static Tensor Vec64(params double[] v) => Tensor.FromArray((double[])v.Clone(), v.Length);

    public static void AllFinite(Tensor t)
    {
        foreach (double v in t.ToDoubleArray()) Assert.True(double.IsFinite(v), $"non-finite value {v} in {t}");
    }

    /// <summary>Runs the gradient check for every reduction (Keras's per-sample ones and PyTorch's per-element ones).</summary>
    public static void GradientsForAllReductions(Func<Reduction, Loss> loss, Tensor prediction, Tensor target, bool targetToo)
    {
        foreach (var r in Enum.GetValues<Reduction>())
        {
            var l = loss(r);
            if (targetToo) TestUtil.AssertGradients(() => l.Forward(prediction, target), prediction, target);
            else TestUtil.AssertGradients(() => l.Forward(prediction, target), prediction);
        }
    }
}
