using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

public class KLDivergenceTests
{
    // the lecture's two distributions
    private static readonly double[] D1 = [1.0 / 3, 0.5, 1.0 / 6];
    private static readonly double[] D2 = [0.25, 0.5, 0.25];

    private static double[,] Rows(params double[][] rows)
    {
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < rows[0].Length; j++) m[i, j] = rows[i][j];
        return m;
    }

    private static double[,] Log(double[,] v)
    {
        var m = (double[,])v.Clone();
        for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) m[i, j] = Math.Log(m[i, j]);
        return m;
    }

    [Fact]
    public void MeasuresTheTargetAgainstThePrediction()
    {
        // row 0: KL(D1 ‖ D2) = 1/3·ln(4/3) + 1/2·ln 1 + 1/6·ln(2/3); row 1: KL(D2 ‖ D1) = 1/4·ln(3/4) + 0 + 1/4·ln(6/4)
        double[] expected = [1.0 / 3 * Math.Log(4.0 / 3) + 1.0 / 6 * Math.Log(2.0 / 3), 0.25 * Math.Log(0.75) + 0.25 * Math.Log(1.5)];
        var q = Rows(D2, D1);
        var p = Rows(D1, D2);
        AllReductions(r => new KLDivergence(r).Forward(T64(q), T64(p)), expected);
        AllReductions(r => new KLDivergence(r).Forward(T32(q), T32(p)), expected, tol: 1e-6);
        AllReductions(r => new KLDivergence(r, logPrediction: true).Forward(T64(Log(q)), T64(p)), expected);
        AllReductions(r => new KLDivergence(r, logPrediction: true, logTarget: true).Forward(T64(Log(q)), T64(Log(p))), expected);
        AllReductions(r => new KLDivergence(r, logTarget: true).Forward(T64(q), T64(Log(p))), expected);
        // the lecture's relation: cross-entropy − entropy
        double ce = new CategoricalCrossEntropy().Forward(T64(Rows(D2)), T64(Rows(D1))).Item();
        double h = new CategoricalCrossEntropy().Forward(T64(Rows(D1)), T64(Rows(D1))).Item();
        Assert.Equal(ce - h, expected[0], 12);
        // identical distributions
        Assert.Equal(0, new KLDivergence().Forward(T64(Rows(D1)), T64(Rows(D1))).Item(), 15);
    }

    [Fact]
    public void ZeroTargetTermsVanishAndZeroPredictionsStayFinite()
    {
        // p = [0, 1] against q = [0.5, 0.5]: 0·log 0 = 0, so the loss is ln 2
        Assert.Equal(Math.Log(2), new KLDivergence().Forward(T64(new double[,] { { 0.5, 0.5 } }), T64(new double[,] { { 0, 1 } })).Item(), 12);
        // the same with log-probability targets (log 0 = −∞)
        var lt = T64(new double[,] { { double.NegativeInfinity, 0 } }, grad: true);
        var q = T64(new double[,] { { 0.5, 0.5 } }, grad: true);
        var loss = new KLDivergence(logTarget: true).Forward(q, lt);
        Assert.Equal(Math.Log(2), loss.Item(), 12);
        loss.Backward();
        AllFinite(q.Grad!);
        AllFinite(lt.Grad!);

        // q = 0 where p > 0 is clamped to ε: large but finite, and so are the gradients
        var q0 = T64(new double[,] { { 0, 1 } }, grad: true);
        var p0 = T64(new double[,] { { 0.5, 0.5 } }, grad: true);
        var l0 = new KLDivergence().Forward(q0, p0);
        Assert.Equal(0.5 * Math.Log(0.5 / 1e-7) + 0.5 * Math.Log(0.5), l0.Item(), 9);
        l0.Backward();
        AllFinite(q0.Grad!);
        AllFinite(p0.Grad!);
    }

    [Fact]
    public void NegativeProbabilityTargetIsRejected()
    {
        var e = Assert.Throws<ValueException>(() => new KLDivergence().Forward(T64(new double[,] { { 0.5, 0.5 } }), T64(new double[,] { { 1.1, -0.1 } })));
        Assert.Contains("KLDivergence: target -0.1 at index [0,1]", e.Message);
        Assert.Throws<ShapeException>(() => new KLDivergence().Forward(Tensor.Zeros([2, 3]), Tensor.Zeros([3, 2])));
    }

    [Fact]
    public void Gradients()
    {
        var q = Rand64([3, 4], 41, 0.05, 1);
        var p = Rand64([3, 4], 42, 0.05, 1);
        GradientsForAllReductions(r => new KLDivergence(r), q, p, targetToo: true);
        var lq = Rand64([3, 4], 43, -3, 0);
        var lp = Rand64([3, 4], 44, -3, 0);
        GradientsForAllReductions(r => new KLDivergence(r, logPrediction: true), lq, p, targetToo: true);
        GradientsForAllReductions(r => new KLDivergence(r, logTarget: true), q, lp, targetToo: true);
        GradientsForAllReductions(r => new KLDivergence(r, logPrediction: true, logTarget: true), lq, lp, targetToo: true);
    }
}
