using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

public class LearningRateSearchTests
{
    [Fact]
    public void LogGridIsADecadeLadder()
    {
        Assert.Equal([0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6], LearningRateSearch.LogGrid(), new RelTol());
        Assert.Equal([1, Math.Sqrt(0.1), 0.1], LearningRateSearch.LogGrid(1, 0.1, 2), new RelTol());
        Assert.Equal([1, 0.1, 0.01], LearningRateSearch.LogSpace(1, 0.01, 3), new RelTol());
    }

    [Fact]
    public void GridSearchFindsTheRightDecadeAndRestoresTheWeights()
    {
        // f(θ) = ½·1000·θ² from θ = 1; 20 SGD steps give θ = (1 − 1000η)²⁰:
        //   η = 0.1, 0.01: |1 − 1000η| = 99, 9 (blows up);  η = 1e-3: 0 (one step);  1e-4: 0.9²⁰;  smaller: slower still.
        var p = Param(1);
        var starts = new List<double>();
        var result = LearningRateSearch.Grid([p], lr => new SGD([p], lr), opt =>
        {
            starts.Add(Values(p)[0]);
            double loss = 0;
            for (int t = 0; t < 20; t++)
            {
                opt.ZeroGrad();
                loss = QuadraticBackward(p, [1000]);
                opt.Step();
            }
            return QuadraticBackward(p, [1000]);
        });
        Assert.Equal(6, result.Trials.Count);
        Assert.All(starts, s => Assert.Equal(1, s));
        Assert.Equal(1e-3, result.BestRate, 15);
        Assert.Equal(0, result.Best!.Loss);
        Assert.Equal(0.5 * 1000 * Math.Pow(0.9, 40), result.Trials[3].Loss, 9);
        Assert.False(result.ByMetric);
        AssertValues([1], p);
        Assert.Null(p.Grad);
    }

    [Fact]
    public void GridSearchCanChooseByValidationMetricAndMarksDivergence()
    {
        var p = Param(1);
        // loss: NaN for the largest rate (diverged); metric (an accuracy) best at 0.01
        var metric = new Dictionary<double, double> { [1] = 0.9, [0.1] = 0.5, [0.01] = 0.8, [0.001] = 0.3 };
        var result = LearningRateSearch.Grid([p], lr => new SGD([p], lr),
            opt => new LearningRateSearchOutcome(opt.LearningRate == 1 ? double.NaN : 1.0 / opt.LearningRate, metric[opt.LearningRate]),
            rates: [1, 0.1, 0.01, 0.001], maximizeMetric: true);
        Assert.True(result.Trials[0].Diverged);
        Assert.True(result.ByMetric);
        Assert.Equal(0.01, result.BestRate);
    }

    [Fact]
    public void RangeTestSuggestsARateBelowDivergenceAndRestoresEverything()
    {
        // Linear regression y = x·w + 0.5 with x ~ N(0, 1)⁴ on 64 samples; MSE has Hessian ≈ 2·I, so SGD
        // diverges above η ≈ 2/λ_max ≈ 0.8 and learns slowly below 1e-3: a sensible suggestion lies in [1e-3, 0.8].
        var gen = new Generator(7);
        var x = Tensor.Normal([64, 4], generator: gen);
        var w = Tensor.FromArray(new float[] { 1, -2, 0.5f, 3 }, 4, 1);
        var y = x.Matmul(w) + 0.5;
        var model = new Linear(4, 1, generator: gen);
        var opt = new SGD(model.Parameters(), 0.123, momentum: 0.5);
        var before = model.Parameters().Select(q => q.Data.ToArray()).ToArray();
        var result = LearningRateSearch.RangeTest(opt, () =>
        {
            var loss = (model.Forward(x) - y).Square().Mean();
            loss.Backward();
            return loss.Item();
        }, minRate: 1e-5, maxRate: 10, steps: 100);
        Assert.True(result.Diverged);
        Assert.True(result.Rates.Count < 100);
        Assert.InRange(result.SuggestedRate, 1e-3, 0.8);
        Assert.True(result.SuggestedRate <= result.MinLossRate);
        Assert.Equal(result.Rates.Count, result.SmoothedLosses.Count);
        Assert.Equal(1e-5, result.Rates[0], 15);
        Assert.Equal(1e-5 * Math.Pow(1e6, 1.0 / 99), result.Rates[1], 15);
        // the first smoothed value is the first loss (bias correction: 0.02·L / (1 − 0.98))
        Assert.Equal(result.Losses[0], result.SmoothedLosses[0], 9);
        var after = model.Parameters().Select(q => q.Data.ToArray()).ToArray();
        Assert.Equal(before, after);
        Assert.Equal(0.123, opt.LearningRate);
        Assert.Equal(0, opt.StepCount);
        Assert.Empty(opt.GetState().ParameterSteps);
    }

    [Fact]
    public void BadSearchArgumentsAreRejected()
    {
        var p = Param(1);
        var e = Assert.Throws<Errors.ValueException>(() => LearningRateSearch.LogGrid(1e-6, 0.1));
        Assert.Contains("smallest rate", e.Message);
        Assert.Throws<Errors.ValueException>(() => LearningRateSearch.Grid([p], lr => new SGD([p], lr), _ => 0.0, rates: [0.1, -1]));
        Assert.Throws<Errors.ValueException>(() => LearningRateSearch.RangeTest(new SGD([p]), () => 0, steps: 2));
    }

    private sealed class RelTol : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= 1e-12 * Math.Max(Math.Abs(x), Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }
}
