using System.Numerics;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// NAdam, Adam with Nesterov momentum (Dozat), in the form of PyTorch's <c>NAdam</c>, with t the parameter's update
/// count from 1 and a momentum coefficient that warms up over time:
/// μₜ = ρ₁·(1 − ½·0.96^(t·ψ)) (ψ = <see cref="MomentumDecay"/> = 0.004), Πₜ = μ₁·μ₂·…·μₜ;
/// s ← ρ₁s + (1 − ρ₁) g;  r ← ρ₂r + (1 − ρ₂) g ⊙ g;  d = √(r / (1 − ρ₂ᵗ)) + δ;
/// θ ← θ − α·(1 − μₜ)/(1 − Πₜ) · g / d − α·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · s / d,
/// with s, r starting at 0 and PyTorch's defaults α = 0.002, ρ₁ = 0.9, ρ₂ = 0.999, δ = <see cref="Epsilon"/> = 1e-8.
/// g is the gradient plus the optional penalties λ₂θ (<see cref="Optimizer.WeightDecay"/>, coupled, as PyTorch's
/// <c>weight_decay</c>) and λ₁·sign(θ).
/// Moments below the smallest normal number are stored as 0: they change no weight, and subnormal arithmetic is slow.
/// </summary>
/// <remarks>
/// This is the rule of PyTorch 1.13's multi-tensor path (<c>NAdam(..., foreach=True)</c>) and of PyTorch 2.0 and later.
/// PyTorch 1.13's default single-tensor path multiplies μₜ twice into Πₜ·μₜ₊₁ (a bug fixed in PyTorch 2.0,
/// pytorch/pytorch#92699), so its steps after the first differ slightly; it also keeps Πₜ in a float32 tensor unless
/// the default dtype is float64, where Πₜ here is a double.
/// </remarks>
public sealed class NAdam : Optimizer
{
    // Πₜ for the last t asked for (every parameter normally has the same t, so one entry suffices)
    private long _productT;
    private double _product = 1;
    private double _stepGrad, _stepMomentum, _correction2; // the scalars of the step being made (set by Prepare)

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0 (PyTorch's default 0.002).</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment and the momentum's limit.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to the root of the corrected second moment.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (coupled): g ← g + λ₂θ; 0 for none.</param>
    /// <param name="momentumDecay">ψ ≥ 0, how fast μₜ warms up to ρ₁ (PyTorch's <c>momentum_decay</c>, 0.004).</param>
    public NAdam(IEnumerable<Parameter> parameters, double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, double momentumDecay = 0.004)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, momentumDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0 (PyTorch's default 0.002).</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment and the momentum's limit.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to the root of the corrected second moment.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (coupled): g ← g + λ₂θ; 0 for none.</param>
    /// <param name="momentumDecay">ψ ≥ 0, how fast μₜ warms up to ρ₁ (PyTorch's <c>momentum_decay</c>, 0.004).</param>
    public NAdam(IEnumerable<ParamGroup> groups, double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, double momentumDecay = 0.004)
        : base(groups, learningRate, weightDecay)
    {
        Beta1 = OptionCheck.UnitInterval(Name, "beta1", beta1);
        Beta2 = OptionCheck.UnitInterval(Name, "beta2", beta2);
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
        MomentumDecay = OptionCheck.NonNegative(Name, "momentum decay", momentumDecay);
    }

    /// <summary>ρ₁ (β₁), the decay rate of the first moment s.</summary>
    public double Beta1 { get; }

    /// <summary>ρ₂ (β₂), the decay rate of the second moment r.</summary>
    public double Beta2 { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ).</summary>
    public double Epsilon { get; }

    /// <summary>ψ, the momentum decay of μₜ = ρ₁·(1 − ½·0.96^(t·ψ)).</summary>
    public double MomentumDecay { get; }

    private protected override string[] StateNames { get; } = ["s", "r"];

    /// <summary>μₜ, the momentum coefficient of update t.</summary>
    private double Mu(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t * MomentumDecay));

    private protected override void Prepare(in StepContext ctx)
    {
        long t = ctx.T;
        if (t == _productT + 1) _product *= Mu(t);
        else if (t != _productT)
        {
            // a parameter at another count (state loaded, or skipped steps): Πₜ again from μ₁, in the same order
            _product = 1;
            for (long i = 1; i <= t; i++) _product *= Mu(i);
        }
        _productT = t;
        double mu = Mu(t), muNext = Mu(t + 1);
        _stepGrad = ctx.LearningRate * (1 - mu) / (1 - _product);
        _stepMomentum = ctx.LearningRate * muNext / (1 - _product * muNext);
        _correction2 = 1 - Math.Pow(Beta2, t);
    }

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        var b1 = Splat<T>(Beta1);
        var oneMinusB1 = Splat<T>(1 - Beta1);
        var b2 = Splat<T>(Beta2);
        var oneMinusB2 = Splat<T>(1 - Beta2);
        var correction2 = Splat<T>(_correction2);
        var eps = Splat<T>(Epsilon);
        var stepGrad = Splat<T>(_stepGrad);
        var stepMomentum = Splat<T>(_stepMomentum);
        Span<T> s = slot.Buffer<T>(0), r = slot.Buffer<T>(1);
        for (int i = 0; i < theta.Length; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var m1 = FlushSubnormal(b1 * Load<T>(s, i) + oneMinusB1 * g);
            var m2 = FlushSubnormal(b2 * Load<T>(r, i) + oneMinusB2 * g * g);
            Store(s, i, m1);
            Store(r, i, m2);
            var d = Vector.SquareRoot(m2 / correction2) + eps;
            Store(theta, i, th - stepGrad * g / d - stepMomentum * m1 / d);
        }
    }
}
