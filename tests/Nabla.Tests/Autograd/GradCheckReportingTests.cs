using Nabla.Autograd;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Autograd;

/// <summary>What the gradient checker tells its caller: the criterion in words, the worst element by it, and progress.</summary>
public class GradCheckReportingTests
{
    /// <summary>f(x) = Σ cᵢ·xᵢ with a hand-written backward that multiplies element <paramref name="bad"/> by <paramref name="factor"/>.</summary>
    private static Func<Tensor> Linear(Tensor x, double[] c, int bad, double factor) => () =>
    {
        double s = 0;
        for (int i = 0; i < c.Length; i++) s += c[i] * x.GetFlat(i);
        return Tensor.FromArray([s]).Record("linear", [x], g =>
        {
            var dx = Tensor.Wrap(c.Select((ci, i) => ci * g.GetFlat(0) * (i == bad ? factor : 1)).ToArray(), c.Length);
            x.AccumulateGrad(dx);
        });
    };

    /// <summary>
    /// The checker backpropagates a fixed pseudo-random weight w ∈ [0.5, 1.5) even through a one-element output, so
    /// both gradients of element i are cᵢ·w (times the factor for the bad one's analytical); w is read off a correct element.
    /// </summary>
    private static double Weight(GradCheckResult r, double[] c, int bad)
    {
        int good = bad == 0 ? 1 : 0;
        double w = r.Analytical[0][good] / c[good];
        Assert.InRange(w, 0.5, 1.5);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.Equal(c[i] * w, r.Numerical[0][i], 1e-8);
            if (i != bad) Assert.Equal(c[i] * w, r.Analytical[0][i], 1e-14);
        }
        return w;
    }

    [Fact]
    public void CriterionStatesTheToleranceFormula()
    {
        var x = Rand64([3], 1);
        var r = GradCheck.Check(() => (x * x).Sum(), [x]);
        Assert.Equal("|analytic − numeric| ≤ 1e-06 + 1e-04·|numeric| for every element", r.Criterion);
        Assert.Equal(1e-6, r.AbsTolerance);
        Assert.Equal(1e-4, r.RelTolerance);
        Assert.Contains(r.Criterion, r.ToString());

        var loose = GradCheck.Check(() => (x * x).Sum(), [x], absTolerance: 2.5e-8, relTolerance: 0.01);
        Assert.Equal("|analytic − numeric| ≤ 2.5e-08 + 0.01·|numeric| for every element", loose.Criterion);
    }

    [Fact]
    public void AOnePercentErrorExceedsItsToleranceAboutAHundredfold()
    {
        // Gradient 2w everywhere; element 7's backward says 2.02w. Allowed: 1e-6 + 1e-4·2w ≈ 2e-4·w, error 0.02·w: ≈ 100×.
        var x = Rand64([10], 3);
        var c = Enumerable.Repeat(2.0, 10).ToArray();
        var r = GradCheck.Check(Linear(x, c, bad: 7, factor: 1.01), [x]);
        double w = Weight(r, c, bad: 7);
        Assert.Equal(2.02 * w, r.Analytical[0][7], 1e-12);
        Assert.False(r.Passed);
        Assert.False(r.InputPassed[0]);
        Assert.Equal(7, r.WorstExcessIndex[0]);
        Assert.Equal(0.02 * w / (1e-6 + 2e-4 * w), r.WorstExcess[0], 1e-4);
        Assert.InRange(r.WorstExcess[0], 99, 99.7);
        Assert.Equal(r.WorstExcess[0], r.Excess[0][7]);
        for (int i = 0; i < 10; i++)
            if (i != 7) Assert.True(r.Excess[0][i] < 1e-3, $"element {i}: excess {r.Excess[0][i]}");
        double percent = Math.Round(r.WorstExcess[0] * 10) * 10; // three significant digits of ≈ 99xx %
        Assert.Equal(FormattableString.Invariant($"worst element [7] at {percent}% of its tolerance (analytical {2.02 * w:G6}, numerical {2 * w:G6})"),
            r.DescribeWorst(0));
    }

    [Fact]
    public void AHalfPercentErrorUnderAOnePercentToleranceUsesHalfOfIt()
    {
        // Allowed: 1e-6 + 0.01·2w; error 0.01·w → just under half of the tolerance: passes.
        var x = Rand64([6], 4);
        var c = Enumerable.Repeat(2.0, 6).ToArray();
        var r = GradCheck.Check(Linear(x, c, bad: 2, factor: 1.005), [x], relTolerance: 0.01);
        double w = Weight(r, c, bad: 2);
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.InputPassed[0]);
        Assert.Equal(2, r.WorstExcessIndex[0]);
        Assert.Equal(0.01 * w / (1e-6 + 0.02 * w), r.WorstExcess[0], 1e-6);
        Assert.StartsWith("worst element [2] at 50% of its tolerance", r.DescribeWorst(0));
    }

    [Fact]
    public void ACorrectBackwardUsesATinyFractionOfItsTolerance()
    {
        var x = Rand64([4, 5], 2);
        var w = Rand64([4, 5], 5);
        var r = GradCheck.Check(() => (x * x * w).Sum(), [x, w]);
        Assert.True(r.Passed, r.ToString());
        Assert.All(r.InputPassed, Assert.True);
        for (int t = 0; t < 2; t++)
        {
            Assert.InRange(r.WorstExcess[t], 0, 0.01);
            Assert.Equal(r.Excess[t].Max(), r.WorstExcess[t]);
            Assert.Equal(Array.IndexOf(r.Excess[t], r.WorstExcess[t]), r.WorstExcessIndex[t]);
        }
    }

    [Fact]
    public void ALargeRelativeErrorOnANearZeroGradientPassesAndTheExcessSaysWhy()
    {
        // ∂f/∂x₁ = 1e-9·w, backward says 1.07e-9·w: relative error 6.5%, but the absolute error 7e-11·w is far below 1e-6.
        var x = Rand64([3], 6);
        var r = GradCheck.Check(Linear(x, [0.5, 1e-9, 0.25], bad: 1, factor: 1.07), [x]);
        double w = r.Analytical[0][0] / 0.5;
        Assert.InRange(w, 0.5, 1.5);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(1, r.WorstIndex[0]);
        Assert.Equal(0.07 / 1.07, r.MaxRelativeError[0], 0.02); // the numerical 1e-9·w carries difference noise of ~1e-10
        Assert.Equal(1, r.WorstExcessIndex[0]);
        Assert.InRange(r.WorstExcess[0], 1e-5, 4e-4); // 7e-11·w ± noise over 1e-6
        Assert.StartsWith("worst element [1] at 0.0", r.DescribeWorst(0));
    }

    [Fact]
    public void ProgressCountsEveryElementInOrderUpToTheTotal()
    {
        var a = Rand64([3], 7);
        var b = Rand64([2, 2], 8);
        var reports = new Reports();
        GradCheck.CheckCore(() => (a.Sum() * b).Sum(), [a, b], 1e-6, 1e-6, 1e-4, reports, TimeSpan.Zero);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), reports.Items.Select(p => p.Done));
        Assert.All(reports.Items, p => { Assert.Equal(7, p.Total); Assert.Equal(2, p.InputCount); });
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }, reports.Items.Select(p => p.Input));
        Assert.Equal(new long[] { 0, 1, 2, 3, 1, 2, 3, 4 }, reports.Items.Select(p => p.InputDone));
        Assert.Equal(new long[] { 3, 3, 3, 3, 4, 4, 4, 4 }, reports.Items.Select(p => p.InputTotal));
        Assert.Equal(1.0, reports.Items[^1].Fraction);
    }

    [Fact]
    public void ProgressIsThrottledAndStillEndsAtTheTotal()
    {
        var x = Rand64([40], 9);
        var reports = new Reports();
        var r = GradCheck.Check(() => { Thread.Sleep(4); return (x * x).Sum(); }, [x], progress: reports);
        Assert.True(r.Passed, r.ToString());
        var items = reports.Items;
        Assert.Equal(0, items[0].Done);
        Assert.Equal(40, items[^1].Done);
        Assert.Equal(40, items[^1].Total);
        for (int i = 1; i < items.Count; i++)
        {
            Assert.True(items[i].Done > items[i - 1].Done, "Done must increase");
            Assert.True(items[i].Elapsed >= items[i - 1].Elapsed, "Elapsed must not decrease");
        }
        // Between the first and the last report, each one comes at least a quarter second after the previous.
        int intermediate = items.Count - 2;
        Assert.InRange(intermediate, 0, (int)(items[^1].Elapsed.TotalSeconds / 0.25));
        Assert.True(items[^1].Elapsed.TotalSeconds > 80 * 0.004, "81 calls of at least 4 ms");
    }

    [Fact]
    public void ProgressWithNoElementsReportsZeroOfZero()
    {
        var x = Tensor.Zeros([0], DType.Float64);
        x.RequiresGrad = true;
        var y = Rand64([1], 10);
        var reports = new Reports();
        GradCheck.Check(() => (y * 1.0).Sum() + x.Sum(), [x], progress: reports);
        var only = Assert.Single(reports.Items);
        Assert.Equal((0L, 0L), (only.Done, only.Total));
    }

    /// <summary>Collects reports synchronously (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Reports : IProgress<GradCheckProgress>
    {
        public List<GradCheckProgress> Items { get; } = [];
        public void Report(GradCheckProgress value) => Items.Add(value);
    }
}
