using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>Weight decay and L1 penalties, bias exclusion, parameter groups, frozen parameters.</summary>
public class RegularizationTests
{
    [Fact]
    public void WeightDecayShrinksWeightsByOneMinusEtaLambdaAndLeavesBiases()
    {
        var w = Param(2, -4, 0);
        var b = Bias(1, -1);
        var opt = new SGD([w, b], learningRate: 0.1) { WeightDecay = 0.5 };
        // zero loss gradient: g = 0 + λθ, θ ← θ − ηλθ = (1 − 0.05)θ each step; the bias has no penalty (j ≠ 0)
        SetGrad(w, 0, 0, 0); SetGrad(b, 0, 0); opt.Step();
        AssertValues([1.9, -3.8, 0], w);
        AssertValues([1, -1], b);
        SetGrad(w, 0, 0, 0); SetGrad(b, 0, 0); opt.Step();
        AssertValues([2 * 0.9025, -4 * 0.9025, 0], w);
        AssertValues([1, -1], b);
    }

    [Fact]
    public void WeightDecayIsAddedToTheLossGradient()
    {
        var w = Param(2, -4);
        var opt = new SGD([w], learningRate: 0.1) { WeightDecay = 0.5 };
        // g = [1, 1] + 0.5·[2, −4] = [2, −1];  θ = [2 − 0.2, −4 + 0.1]
        SetGrad(w, 1, 1); opt.Step();
        AssertValues([1.8, -3.9], w);
    }

    [Fact]
    public void BiasesAreDecayedWhenAskedTo()
    {
        var b = Bias(1, -1);
        var opt = new SGD([b], learningRate: 0.1) { WeightDecay = 0.5, RegularizeBiases = true };
        SetGrad(b, 0, 0); opt.Step();
        AssertValues([0.95, -0.95], b);
    }

    [Fact]
    public void L1SubtractsEtaLambdaTimesTheSign()
    {
        var w = Param(2, -4, 0);
        var b = Bias(3);
        var opt = new SGD([w, b], learningRate: 0.1) { L1 = 0.5 };
        // g = λ₁·sign(θ) = [0.5, −0.5, 0];  θ ← θ − 0.05·sign(θ); sign(0) = 0 keeps the zero at zero
        SetGrad(w, 0, 0, 0); SetGrad(b, 0); opt.Step();
        AssertValues([1.95, -3.95, 0], w);
        AssertValues([3], b);
    }

    [Fact]
    public void AdamCouplesWeightDecayWhileAdamWDecouplesIt()
    {
        // Adam: g = λθ = 0.5·[2, −4] = [1, −2] enters the moments: the first step is ≈ −α·sign(g) = ∓0.1
        var w1 = Param(2, -4);
        var adam = new Adam([w1], learningRate: 0.1) { WeightDecay = 0.5 };
        SetGrad(w1, 0, 0); adam.Step();
        AssertValues([1.9, -3.9], w1, 1e-7);
        // AdamW: θ ← θ − αλθ − α·ŝ/(√r̂ + δ) with g = 0, so ŝ = 0: θ = (1 − 0.1·0.5)θ = 0.95θ; the bias is untouched
        var w2 = Param(2, -4);
        var b = Bias(1);
        var adamW = new AdamW([w2, b], learningRate: 0.1, weightDecay: 0.5);
        SetGrad(w2, 0, 0); SetGrad(b, 0); adamW.Step();
        AssertValues([1.9, -3.8], w2);
        AssertValues([1], b);
    }

    [Fact]
    public void GroupsHaveTheirOwnRatesAndPenalties()
    {
        var body = Param(1);
        var head = Param(1);
        var opt = new SGD([new ParamGroup([body]), new ParamGroup([head], learningRate: 0.4, weightDecay: 0)], learningRate: 0.1)
        {
            WeightDecay = 1,
        };
        Assert.Equal(4, opt.ParamGroups[1].LearningRateFactor, 12);
        // body: θ − 0.1·(1 + 1·1) = 0.8;  head: θ − 0.4·(1 + 0) = 0.6
        SetGrad(body, 1); SetGrad(head, 1); opt.Step();
        AssertValues([0.8], body);
        AssertValues([0.6], head);
        // a schedule halves the base rate: the head's rate halves too (0.2)
        opt.LearningRate = 0.05;
        Assert.Equal(0.2, opt.GroupLearningRate(1), 12);
        body.Grad = null;
        SetGrad(head, 1); opt.Step();
        AssertValues([0.4], head);
        AssertValues([0.8], body); // no gradient: skipped
    }

    [Fact]
    public void FrozenParametersAndParametersWithoutGradientAreSkipped()
    {
        var frozen = Param(1, 2);
        var noGrad = Param(3);
        var opt = new SGD([frozen, noGrad], 0.1) { WeightDecay = 1 };
        SetGrad(frozen, 1, 1);
        frozen.RequiresGrad = false;
        opt.Step();
        AssertValues([1, 2], frozen);
        AssertValues([3], noGrad);
        Assert.Equal(1, opt.StepCount);
    }
}
