using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

public class ScheduleTests
{
    private static void AssertRates(LearningRateSchedule s, params (long T, double Rate)[] expected)
    {
        foreach (var (t, rate) in expected) Assert.Equal(rate, s.Rate(t), 12);
    }

    [Fact]
    public void ConstantRate() => AssertRates(new ConstantRate(0.1), (0, 0.1), (1000, 0.1));

    [Fact]
    public void StepDecayMultipliesByGammaEveryK()
        // η₀·γ^⌊t/k⌋ with η₀ = 0.1, γ = 0.5, k = 10
        => AssertRates(new StepDecay(0.1, 0.5, 10), (0, 0.1), (9, 0.1), (10, 0.05), (25, 0.025));

    [Fact]
    public void ExponentialDecayIsEtaGammaToTheT()
        // 0.1·0.9ᵗ: t = 2 → 0.081, t = 3 → 0.0729
        => AssertRates(new ExponentialDecay(0.1, 0.9), (0, 0.1), (2, 0.081), (3, 0.0729));

    [Fact]
    public void LinearDecayGoesFromLargeToSmallThenStays()
        // α = t/τ, (1 − α)η₀ + αη_τ with η₀ = 0.1, η_τ = 0.001, τ = 100: t = 50 → 0.05 + 0.0005
        => AssertRates(new LinearDecay(0.1, 0.001, 100), (0, 0.1), (50, 0.0505), (100, 0.001), (200, 0.001));

    [Fact]
    public void InverseSqrtIsTheLecturesOneOverTDecay()
        // η/√(t + 1): t = 3 → 0.1/2, t = 8 → 0.1/3
        => AssertRates(new InverseSqrtDecay(0.1), (0, 0.1), (3, 0.05), (8, 0.1 / 3));

    [Fact]
    public void InverseTimeDecay()
        // η₀/(1 + kt), k = 0.5: t = 2 → 0.05, t = 6 → 0.025
        => AssertRates(new InverseTimeDecay(0.1, 0.5), (0, 0.1), (2, 0.05), (6, 0.025));

    [Fact]
    public void CosineDecayReachesTheMinimumAtT()
        // η_min + ½(η₀ − η_min)(1 + cos(πt/T)), η₀ = 0.1, η_min = 0.01, T = 10: t = 5 → 0.01 + 0.045 = 0.055
        => AssertRates(new CosineDecay(0.1, 10, 0.01), (0, 0.1), (5, 0.055), (10, 0.01), (20, 0.01));

    [Fact]
    public void CosineDecayCanKeepFollowingTheCosineAsPyTorch()
    {
        // PyTorch: p = torch.nn.Parameter(torch.zeros(1)); o = torch.optim.SGD([p], lr=0.1)
        // s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01); read o.param_groups[0]['lr'], then o.step(); s.step()
        // t = 0..30: 0.1, 0.09779754323328192, ..., 0.01 (t = 10), 0.012202456766718092 (t = 11), ..., 0.10000000000000041 (t = 20),
        // 0.09779754323328231 (t = 21), ..., 0.01 (t = 30): the closed form η_min + ½(η₀ − η_min)(1 + cos(πt/T)) for every t
        var s = new CosineDecay(0.1, 10, 0.01, holdMinimum: false);
        Assert.False(s.HoldMinimum);
        AssertRates(s, (0, 0.1), (1, 0.09779754323328192), (5, 0.055), (10, 0.01), (11, 0.012202456766718092), (15, 0.055),
            (20, 0.1), (21, 0.09779754323328231), (30, 0.01), (1_000_000_001, 0.09779754323328192));
        for (long t = 0; t <= 40; t++)
            Assert.Equal(0.01 + 0.045 * (1 + Math.Cos(Math.PI * t / 10)), s.Rate(t), 15);
    }

    [Fact]
    public void LinearWarmupRampsUpThenHandsOver()
        // W = 4 from 0 to the cosine's 0.1 (0, 0.025, 0.05, 0.075), then cosine(t − 4): t = 9 → cosine(5) = 0.055
        => AssertRates(new LinearWarmup(new CosineDecay(0.1, 10, 0.01), 4), (0, 0), (1, 0.025), (2, 0.05), (4, 0.1), (9, 0.055));

    [Fact]
    public void StepSetsTheOptimizersRate()
    {
        var p = Param(1);
        var opt = new SGD([p], 1.0);
        var s = new ExponentialDecay(0.1, 0.5).Attach(opt);
        Assert.Equal(0.1, opt.LearningRate);
        // epoch 0 runs at 0.1: θ = 1 − 0.1·1
        SetGrad(p, 1); opt.Step();
        Assert.Equal(0.05, s.Step());
        Assert.Equal(0.05, opt.LearningRate);
        SetGrad(p, 1); opt.Step();
        AssertValues([1 - 0.1 - 0.05], p);
        Assert.Equal(1, s.Time);
    }

    [Fact]
    public void StateRoundTripsTheTime()
    {
        var opt = new SGD([Param(1)], 1.0);
        var s = new StepDecay(0.1, 0.5, 2).Attach(opt);
        for (int i = 0; i < 5; i++) s.Step();
        var state = s.GetState();
        Assert.Equal(5, state.Values["t"]);
        var opt2 = new SGD([Param(1)], 1.0);
        var s2 = new StepDecay(0.1, 0.5, 2).Attach(opt2);
        s2.LoadState(state);
        Assert.Equal(5, s2.Time);
        Assert.Equal(0.025, opt2.LearningRate, 15); // 0.1·0.5^⌊5/2⌋
        Assert.Throws<Errors.ValueException>(() => new CosineDecay(0.1, 10).LoadState(state));
    }

    [Fact]
    public void BadOptionsNameTheScheduleOptionAndValue()
    {
        var e = Assert.Throws<Errors.ValueException>(() => new StepDecay(0.1, 0, 10));
        Assert.Contains("StepDecay", e.Message); Assert.Contains("gamma", e.Message); Assert.Contains("0", e.Message);
        e = Assert.Throws<Errors.ValueException>(() => new CosineDecay(double.NaN, 10));
        Assert.Contains("CosineDecay", e.Message); Assert.Contains("initial rate", e.Message); Assert.Contains("NaN", e.Message);
        Assert.Throws<Errors.ValueException>(() => new LinearDecay(0.1, 0.01, 0));
        Assert.Throws<Errors.ValueException>(() => new LinearWarmup(new ConstantRate(0.1), 0));
        Assert.Throws<Errors.ValueException>(() => new InverseTimeDecay(0.1, -1));
    }
}
