using System.Numerics;
using Nabla.Errors;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// RMSProp: AdaGrad with the sum of squared gradients replaced by an exponentially weighted moving average
/// (the lectures' algorithm, element-wise):
/// r ← ρr + (1 − ρ) g ⊙ g;  Δθ = −α / √(δ + r) ⊙ g;  θ ← θ + Δθ,  with r starting at 0, δ = <see cref="Epsilon"/> = 1e-6 by default.
/// <para>With momentum μ &gt; 0 (RMSProp with momentum): v ← μv − α / √(δ + r) ⊙ g;  θ ← θ + v.</para>
/// <para>With Nesterov momentum (the lectures' "RMSProp combined with Nesterov", whose momentum coefficient the
/// lectures call δ): the gradient is taken at the interim point θ̃ = θ + μv, then
/// r ← ρr + (1 − ρ) g ⊙ g;  v ← μv − α / √(δ + r) ⊙ g;  θ ← θ + v. As in <see cref="SGD"/>, the parameter holds θ̃, so the
/// loop's gradient is ∇L(θ̃), and θ̃ ← θ̃ + μv − α / √(δ + r) ⊙ g (with the new v). The lectures divide by √r there;
/// the δ inside the root keeps an element whose gradients have all been 0 from giving 0/0.</para>
/// g is the gradient plus the optional penalties λ₂θ and λ₁·sign(θ).
/// </summary>
public class RMSProp : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to r under the root.</param>
    /// <param name="momentum">μ in [0, 1); 0 for plain RMSProp.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public RMSProp(IEnumerable<Parameter> parameters, double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-6,
        double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : this([new ParamGroup(parameters)], learningRate, rho, epsilon, momentum, nesterov, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to r under the root.</param>
    /// <param name="momentum">μ in [0, 1); 0 for plain RMSProp.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public RMSProp(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-6,
        double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(groups, learningRate, weightDecay)
    {
        Rho = OptionCheck.UnitInterval(Name, "rho", rho);
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
        Momentum = OptionCheck.UnitInterval(Name, "momentum", momentum);
        if (nesterov && momentum == 0)
            throw new ValueException($"{Name}: nesterov needs momentum > 0, got momentum {momentum}");
        Nesterov = nesterov;
        StateNames = momentum > 0 ? ["r", "v"] : ["r"];
    }

    /// <summary>The decay rate ρ of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ).</summary>
    public double Epsilon { get; }

    /// <summary>The momentum coefficient μ (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    private protected override string[] StateNames { get; }

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var alpha = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        var rho = Splat<T>(Rho);
        var oneMinusRho = Splat<T>(1 - Rho);
        var delta = Splat<T>(Epsilon);
        var mu = Splat<T>(Momentum);
        var r = slot.Buffer<T>(0);
        var v = Momentum > 0 ? slot.Buffer<T>(1) : default;
        for (int i = 0, n = theta.Length; i < n; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var acc = rho * Load<T>(r, i) + oneMinusRho * g * g;
            Store(r, i, acc);
            var step = alpha / Vector.SquareRoot(delta + acc) * g;
            if (Momentum == 0)
            {
                Store(theta, i, th - step);
                continue;
            }
            var vel = mu * Load<T>(v, i) - step;
            Store(v, i, vel);
            Store(theta, i, Nesterov ? th + mu * vel - step : th + vel);
        }
    }
}
