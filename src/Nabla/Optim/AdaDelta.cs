using System.Numerics;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// AdaDelta (Zeiler, 2012): RMSProp whose step size comes from a moving average of the past squared updates,
/// so that the update has the units of θ and needs no global rate (element-wise):
/// r ← ρr + (1 − ρ) g ⊙ g;  Δθ = −√(u + δ) / √(r + δ) ⊙ g;  u ← ρu + (1 − ρ) Δθ ⊙ Δθ;  θ ← θ + η·Δθ,
/// with r and u starting at 0, ρ = 0.95 and δ = <see cref="Epsilon"/> = 1e-6 (the paper's values; the paper's ε) and η = 1 (the paper's algorithm;
/// other values scale the step as in PyTorch, u accumulating the unscaled Δθ).
/// g is the gradient plus the optional penalties λ₂θ and λ₁·sign(θ).
/// Running averages below the smallest normal number are stored as 0: they change no weight, and subnormal arithmetic
/// is slow.
/// </summary>
public sealed class AdaDelta : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, a factor on the step (1 in the paper), finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added under both roots.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public AdaDelta(IEnumerable<Parameter> parameters, double learningRate = 1.0, double rho = 0.95, double epsilon = 1e-6,
        double weightDecay = 0)
        : this([new ParamGroup(parameters)], learningRate, rho, epsilon, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">η, a factor on the step (1 in the paper), finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added under both roots.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public AdaDelta(IEnumerable<ParamGroup> groups, double learningRate = 1.0, double rho = 0.95, double epsilon = 1e-6,
        double weightDecay = 0)
        : base(groups, learningRate, weightDecay)
    {
        Rho = OptionCheck.UnitInterval(Name, "rho", rho);
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
    }

    /// <summary>The decay rate ρ of both moving averages.</summary>
    public double Rho { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ) under the roots.</summary>
    public double Epsilon { get; }

    private protected override string[] StateNames { get; } = ["r", "u"];

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var eta = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        var rho = Splat<T>(Rho);
        var oneMinusRho = Splat<T>(1 - Rho);
        var eps = Splat<T>(Epsilon);
        Span<T> r = slot.Buffer<T>(0), u = slot.Buffer<T>(1);
        for (int i = 0, n = theta.Length; i < n; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var rr = FlushSubnormal(rho * Load<T>(r, i) + oneMinusRho * g * g);
            var uu = Load<T>(u, i);
            var delta = -Vector.SquareRoot(uu + eps) / Vector.SquareRoot(rr + eps) * g;
            Store(r, i, rr);
            Store(u, i, FlushSubnormal(rho * uu + oneMinusRho * delta * delta));
            Store(theta, i, th + eta * delta);
        }
    }
}
