using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

public class RegressionLossTests
{
    private static readonly double[,] P = { { 1, 2, 3 }, { 0, -1, 4 } };
    private static readonly double[,] Y = { { 1.5, 2, 1 }, { 0, 1, 0 } };

    [Fact]
    public void MseAveragesSquaredDifferencesPerSample()
    {
        // row 0: 0.25 + 0 + 4 = 4.25 → /3; row 1: 0 + 4 + 16 = 20 → /3
        double[] expected = [4.25 / 3, 20.0 / 3];
        AllReductions(r => new MSE(r).Forward(T64(P), T64(Y)), expected);
        AllReductions(r => new MSE(r).Forward(T32(P), T32(Y)), expected, tol: 1e-6);
        Assert.Equal(DType.Float32, new MSE().Forward(T32(P), T32(Y)).DType);
    }

    [Fact]
    public void MaeAveragesAbsoluteDifferencesPerSample()
    {
        // row 0: 0.5 + 0 + 2 = 2.5 → /3; row 1: 0 + 2 + 4 = 6 → /3
        AllReductions(r => new MAE(r).Forward(T64(P), T64(Y)), [2.5 / 3, 2.0]);
    }

    [Fact]
    public void MsleComparesLogsOfOnePlus()
    {
        double ln2 = Math.Log(2);
        // row 0: (ln 2 − ln 1)², (ln 2 − ln 2)²; row 1: (ln 1 − ln 4)² = 4(ln 2)², (ln 3 − ln 1.5)² = (ln 2)²
        double[] expected = [ln2 * ln2 / 2, (4 * ln2 * ln2 + ln2 * ln2) / 2];
        AllReductions(r => new MSLE(r).Forward(T64(new double[,] { { 0, 1 }, { 3, 0.5 } }), T64(new double[,] { { 1, 1 }, { 0, 2 } })), expected);
    }

    [Fact]
    public void RankOnePredictionsAreOneElementSamples()
    {
        AllReductions(r => new MSE(r).Forward(Vec64(1, 2, 4), Vec64(0, 2, 1)), [1, 0, 9]);
    }

    [Fact]
    public void GradientsThroughPredictionsAndTargets()
    {
        var p = Rand64([3, 4], 1, -2, 2);
        var t = Rand64([3, 4], 2, -2, 2);
        GradientsForAllReductions(r => new MSE(r), p, t, targetToo: true);
        GradientsForAllReductions(r => new MAE(r), p, t, targetToo: true);
        var pl = Rand64([3, 2, 2], 3, -0.5, 3);
        var tl = Rand64([3, 2, 2], 4, -0.5, 3);
        GradientsForAllReductions(r => new MSLE(r), pl, tl, targetToo: true);
    }

    [Fact]
    public void MseGradientIsTwiceTheErrorOverTheElementCount()
    {
        var p = T64(P, grad: true);
        new MSE().Forward(p, T64(Y)).Backward();
        // 2(ŷ − y)/6 elementwise
        AssertClose([2 * -0.5 / 6, 0, 2 * 2.0 / 6, 0, 2 * -2.0 / 6, 2 * 4.0 / 6], p.Grad!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void ShapeMismatchNamesTheLossAndBothShapes()
    {
        var e = Assert.Throws<ShapeException>(() => new MSE().Forward(Tensor.Zeros([2, 3]), Tensor.Zeros([3, 2])));
        Assert.Contains("MSE", e.Message);
        Assert.Contains("target shape [3,2]", e.Message);
        Assert.Contains("prediction shape [2,3]", e.Message);
        Assert.Throws<ShapeException>(() => new MAE().Forward(Tensor.Zeros([4]), Tensor.Zeros([4, 1])));
        var s = Assert.Throws<ShapeException>(() => new MSE().Forward(Tensor.Scalar(1), Tensor.Scalar(1)));
        Assert.Contains("scalar", s.Message);
    }

    [Fact]
    public void MsleRejectsValuesAtOrBelowMinusOne()
    {
        var e = Assert.Throws<ValueException>(() => new MSLE().Forward(T64(new double[,] { { 0, -1 } }), T64(new double[,] { { 0, 0 } })));
        Assert.Contains("MSLE: prediction -1 at index [0,1]", e.Message);
        Assert.Contains("greater than -1", e.Message);
        var t = Assert.Throws<ValueException>(() => new MSLE().Forward(T64(new double[,] { { 0, 0 } }), T64(new double[,] { { -2, 0 } })));
        Assert.Contains("MSLE: target -2 at index [0,0]", t.Message);
    }

    [Fact]
    public void MixedElementTypesFollowThePrediction()
    {
        var loss = new MSE().Forward(T32(P), T64(Y));
        Assert.Equal(DType.Float32, loss.DType);
        Assert.Equal(24.25 / 6, loss.Item(), 6);
    }

    [Fact]
    public void UndefinedReductionIsRejected()
    {
        var e = Assert.Throws<ValueException>(() => new MSE((Reduction)7));
        Assert.Contains("MSE", e.Message);
    }
}
