using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>
/// The options that give PyTorch's update rules (RMSProp's δ outside the root and centered form, AMSGrad, NAdam): the
/// first four steps on f(θ) = ½ Σ aᵢθᵢ² with a = [1, 4], θ₀ = [1, −2], against PyTorch 1.13 in float64:
/// <code>
/// torch.set_default_dtype(torch.float64); a = torch.tensor([1., 4.])
/// p = torch.nn.Parameter(torch.tensor([1., -2.])); o = OPTIMIZER([p])
/// 4 times: o.zero_grad(); (0.5 * (a * p * p).sum()).backward(); o.step(); print(repr(p[0].item()), repr(p[1].item()))
/// </code>
/// </summary>
public class PyTorchOptionTests
{
    private static readonly double[] A = [1, 4];

    private static void AssertTrajectory(Optimizer opt, Nabla.NN.Parameter p, double[][] expected)
    {
        foreach (var theta in expected)
        {
            QuadraticBackward(p, A);
            opt.Step();
            AssertValues(theta, p, 1e-14);
        }
    }

    [Fact]
    public void RMSPropWithEpsilonOutsideTheRootIsPyTorchs()
    {
        // torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6)
        var p = Param(1, -2);
        AssertTrajectory(new RMSProp([p], 0.01, rho: 0.9, epsilon: 1e-6, epsilonInsideRoot: false), p,
        [
            [0.968377323398, -1.9683772358983114],
            [0.9457881762810328, -1.945609655685793],
            [0.9270532851395765, -1.9266337054591853],
            [0.9105436709357003, -1.9098474193470412],
        ]);
        // the lectures' default is unchanged: step 1 is θ − α/√(δ + r)·g with r = 0.1·g²
        var q = Param(1, -2);
        var lecture = new RMSProp([q], 0.01, rho: 0.9, epsilon: 1e-6);
        Assert.True(lecture.EpsilonInsideRoot);
        QuadraticBackward(q, A); lecture.Step();
        AssertValues([1 - 0.01 / Math.Sqrt(1e-6 + 0.1) * 1, -2 + 0.01 / Math.Sqrt(1e-6 + 0.1 * 64) * 8], q, 1e-15);
    }

    [Fact]
    public void CenteredRMSPropIsPyTorchs()
    {
        // torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, centered=True)
        var p = Param(1, -2);
        AssertTrajectory(new RMSProp([p], 0.01, rho: 0.9, epsilon: 1e-6, centered: true, epsilonInsideRoot: false), p,
        [
            [0.9666667777774074, -1.9666666805555497],
            [0.9415903172836231, -1.9413801744194539],
            [0.9197007244562837, -1.9191804281943161],
            [0.8994098014275823, -1.8984996080364342],
        ]);
        // with momentum 0.5: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, centered=True, momentum=0.5)
        var q = Param(1, -2);
        AssertTrajectory(new RMSProp([q], 0.01, rho: 0.9, epsilon: 1e-6, momentum: 0.5, centered: true, epsilonInsideRoot: false), q,
        [
            [0.9666667777774074, -1.9666666805555497],
            [0.9249237061723268, -1.9247135146972287],
            [0.8824187019541035, -1.8816602731213832],
            [0.8414013422284967, -1.8397019675687905],
        ]);
        // centered with δ inside the root, step 1: r = 0.1g², ḡ = 0.1g, θ − α/√(δ + r − ḡ²)·g
        var c = Param(1, -2);
        var inside = new RMSProp([c], 0.01, rho: 0.9, epsilon: 1e-6, centered: true);
        QuadraticBackward(c, A); inside.Step();
        AssertValues([1 - 0.01 / Math.Sqrt(1e-6 + 0.1 - 0.01) * 1, -2 + 0.01 / Math.Sqrt(1e-6 + 6.4 - 0.64) * 8], c, 1e-14);
    }

    [Fact]
    public void AmsGradIsPyTorchs()
    {
        // torch.optim.Adam(ps, lr=0.1, amsgrad=True)
        var p = Param(1, -2);
        var adam = new Adam([p], 0.1, amsgrad: true);
        Assert.True(adam.AmsGrad);
        AssertTrajectory(adam, p,
        [
            [0.900000001, -1.900000000125],
            [0.8004122297123382, -1.8001664858630053],
            [0.701586274504415, -1.7006233916636408],
            [0.603939062682108, -1.6015048947743649],
        ]);
        // torch.optim.AdamW(ps, lr=0.1, amsgrad=True, weight_decay=0.1)
        var q = Param(1, -2);
        AssertTrajectory(new AdamW([q], 0.1, weightDecay: 0.1, amsgrad: true), q,
        [
            [0.890000001, -1.880000000125],
            [0.781571856954161, -1.7614089503325472],
            [0.6751012231892006, -1.6443686831798792],
            [0.5710475992066121, -1.529032710757555],
        ]);
        // r_max is part of the state
        Assert.Contains("param0/rmax", adam.GetState().Float64Buffers.Keys);
    }

    [Fact]
    public void AmsGradNeverLetsTheDenominatorShrink()
    {
        // a large gradient, then small ones: r decays but r_max keeps the large one, so the steps stay smaller than Adam's
        var a = Param(0);
        var b = Param(0);
        var ams = new Adam([a], 0.1, amsgrad: true);
        var plain = new Adam([b], 0.1);
        double[] grads = [10, 0.1, 0.1, 0.1];
        for (int t = 0; t < grads.Length; t++)
        {
            double beforeA = Values(a)[0], beforeB = Values(b)[0];
            SetGrad(a, grads[t]); SetGrad(b, grads[t]);
            ams.Step(); plain.Step();
            if (t > 0) Assert.True(Math.Abs(Values(a)[0] - beforeA) < Math.Abs(Values(b)[0] - beforeB));
        }
    }

    [Fact]
    public void NAdamIsPyTorchs()
    {
        // torch.optim.NAdam(ps, lr=0.1, foreach=True) (the multi-tensor path, the rule of PyTorch 2.0 and later)
        var p = Param(1, -2);
        var nadam = new NAdam([p], 0.1);
        Assert.Equal(0.004, nadam.MomentumDecay);
        AssertTrajectory(nadam, p,
        [
            [0.894354823220913, -1.8943548222965176],
            [0.8199730715315754, -1.8178975305776888],
            [0.7527292676155415, -1.7475085009539146],
            [0.6877160527414422, -1.678188739772421],
        ]);
        // torch.optim.NAdam(ps, lr=0.1, weight_decay=0.1, foreach=True)
        var q = Param(1, -2);
        AssertTrajectory(new NAdam([q], 0.1, weightDecay: 0.1), q,
        [
            [0.8943548231248719, -1.8943548222932969],
            [0.8199730713681833, -1.8178975305721352],
            [0.7527292673910014, -1.747508500946201],
            [0.6877160524578931, -1.6781887397625703],
        ]);
        // PyTorch 1.13's default single-tensor path (torch.optim.NAdam(ps, lr=0.1)) multiplies μ₁ twice into its second
        // coefficient and gives 0.8950468840886093 after step 1: the deliberate difference, fixed in PyTorch 2.0 (#92699)
    }

    [Fact]
    public void NAdamFirstStepByHand()
    {
        // t = 1: μ₁ = 0.9(1 − ½·0.96^0.004), μ₂ = 0.9(1 − ½·0.96^0.008), Π₁ = μ₁; s = 0.1g, r = 0.001g², d = √(r/0.001) + δ = |g| + δ
        // θ ← θ − α(1 − μ₁)/(1 − μ₁)·g/d − α·μ₂/(1 − μ₁μ₂)·0.1g/d
        double mu1 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.004)), mu2 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.008));
        var p = Param(1, -2);
        var opt = new NAdam([p], 0.1);
        QuadraticBackward(p, A); opt.Step();
        double Step(double g) => -0.1 * g / (Math.Abs(g) + 1e-8) - 0.1 * mu2 / (1 - mu1 * mu2) * 0.1 * g / (Math.Abs(g) + 1e-8);
        AssertValues([1 + Step(1), -2 + Step(-8)], p, 1e-15);
    }

    [Fact]
    public void NAdamResumesFromASavedState()
    {
        // Πₜ is rebuilt from t alone, so a restored optimizer continues exactly
        var a = Param(1, -2);
        var first = new NAdam([a], 0.1);
        for (int t = 0; t < 3; t++) { QuadraticBackward(a, A); first.Step(); }
        var b = Param(Values(a));
        var second = new NAdam([b], 0.1);
        second.LoadStateDict(first.StateDict());
        QuadraticBackward(a, A); first.Step();
        QuadraticBackward(b, A); second.Step();
        AssertValues(Values(a), b, 0);
    }
}
