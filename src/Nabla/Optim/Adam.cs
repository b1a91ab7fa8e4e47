using System.Numerics;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// Adam, adaptive moments (the lectures' algorithm, element-wise), with t the parameter's update count from 1:
/// s ← ρ₁s + (1 − ρ₁) g;  r ← ρ₂r + (1 − ρ₂) g ⊙ g;  ŝ = s / (1 − ρ₁ᵗ);  r̂ = r / (1 − ρ₂ᵗ);
/// Δθ = −α ŝ / (√r̂ + δ);  θ ← θ + Δθ,
/// with s, r starting at 0 and the defaults α = 0.001, ρ₁ = 0.9, ρ₂ = 0.999, δ = 1e-8.
/// g is the gradient plus the optional penalties λ₂θ (<see cref="Optimizer.WeightDecay"/>, coupled L2) and λ₁·sign(θ);
/// see <see cref="AdamW"/> for decoupled weight decay.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="delta">δ (ε) &gt; 0, added to √r̂.</param>
    public Adam(IEnumerable<Parameter> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double delta = 1e-8)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, delta) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="delta">δ (ε) &gt; 0, added to √r̂.</param>
    public Adam(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double delta = 1e-8)
        : base(groups, learningRate)
    {
        Beta1 = OptionCheck.UnitInterval(Name, "beta1", beta1);
        Beta2 = OptionCheck.UnitInterval(Name, "beta2", beta2);
        Delta = OptionCheck.Positive(Name, "delta", delta);
    }

    /// <summary>ρ₁ (β₁), the decay rate of the first moment s.</summary>
    public double Beta1 { get; }

    /// <summary>ρ₂ (β₂), the decay rate of the second moment r.</summary>
    public double Beta2 { get; }

    /// <summary>The stabilizing constant δ (ε).</summary>
    public double Delta { get; }

    /// <summary>True for AdamW: weight decay shrinks θ directly instead of entering g.</summary>
    private protected virtual bool DecoupledWeightDecay => false;

    private protected override string[] StateNames { get; } = ["s", "r"];

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, ParamSlot slot)
    {
        bool decoupled = DecoupledWeightDecay;
        var alpha = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(decoupled ? 0 : ctx.WeightDecay);
        var decay = Splat<T>(decoupled ? ctx.LearningRate * ctx.WeightDecay : 0);
        var l1 = Splat<T>(ctx.L1);
        var b1 = Splat<T>(Beta1);
        var oneMinusB1 = Splat<T>(1 - Beta1);
        var b2 = Splat<T>(Beta2);
        var oneMinusB2 = Splat<T>(1 - Beta2);
        var correct1 = Splat<T>(1 / (1 - Math.Pow(Beta1, ctx.T)));
        var correct2 = Splat<T>(1 / (1 - Math.Pow(Beta2, ctx.T)));
        var delta = Splat<T>(Delta);
        Span<T> s = slot.Buffer<T>(0), r = slot.Buffer<T>(1);
        for (int i = 0, n = theta.Length; i < n; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var m1 = b1 * Load<T>(s, i) + oneMinusB1 * g;
            var m2 = b2 * Load<T>(r, i) + oneMinusB2 * g * g;
            Store(s, i, m1);
            Store(r, i, m2);
            var update = alpha * (m1 * correct1) / (Vector.SquareRoot(m2 * correct2) + delta);
            Store(theta, i, th - decay * th - update);
        }
    }
}
