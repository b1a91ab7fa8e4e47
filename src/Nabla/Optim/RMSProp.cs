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
/// <para>Centered (<c>centered: true</c>, Graves' form, PyTorch's <c>centered=True</c>): the mean gradient
/// ḡ ← ρḡ + (1 − ρ) g is tracked too and r − ḡ ⊙ ḡ, an estimate of the gradient's variance, replaces r under the root
/// (taken as 0 where rounding makes it negative).</para>
/// <para>Where δ goes: the lectures' √(δ + r) is the default; <c>epsilonInsideRoot: false</c> divides by √r + δ
/// instead, as PyTorch's <c>RMSprop</c> does. For PyTorch's defaults give also <c>rho: 0.99</c> (its <c>alpha</c>),
/// <c>epsilon: 1e-8</c> and <c>learningRate: 0.01</c>. PyTorch's momentum buffer keeps α outside (b ← μb + g/(√r + δ),
/// θ ← θ − α·b): the same steps as v = −α·b here while α is constant, different once a schedule changes α.</para>
/// Running averages (and the velocity) below the smallest normal number are stored as 0: they change no weight, and
/// subnormal arithmetic is slow.
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
    /// <param name="centered">True to divide by the root of the gradient's variance estimate r − ḡ⊙ḡ (PyTorch's <c>centered</c>).</param>
    /// <param name="epsilonInsideRoot">True (the lectures' form, the default) to divide by √(δ + r); false for PyTorch's √r + δ.</param>
    public RMSProp(IEnumerable<Parameter> parameters, double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-6,
        double momentum = 0, bool nesterov = false, double weightDecay = 0, bool centered = false, bool epsilonInsideRoot = true)
        : this([new ParamGroup(parameters)], learningRate, rho, epsilon, momentum, nesterov, weightDecay, centered, epsilonInsideRoot) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to r under the root.</param>
    /// <param name="momentum">μ in [0, 1); 0 for plain RMSProp.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    /// <param name="centered">True to divide by the root of the gradient's variance estimate r − ḡ⊙ḡ (PyTorch's <c>centered</c>).</param>
    /// <param name="epsilonInsideRoot">True (the lectures' form, the default) to divide by √(δ + r); false for PyTorch's √r + δ.</param>
    public RMSProp(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-6,
        double momentum = 0, bool nesterov = false, double weightDecay = 0, bool centered = false, bool epsilonInsideRoot = true)
        : base(groups, learningRate, weightDecay)
    {
        Rho = OptionCheck.UnitInterval(Name, "rho", rho);
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
        Momentum = OptionCheck.UnitInterval(Name, "momentum", momentum);
        if (nesterov && momentum == 0)
            throw new ValueException($"{Name}: nesterov needs momentum > 0, got momentum {momentum}");
        Nesterov = nesterov;
        Centered = centered;
        EpsilonInsideRoot = epsilonInsideRoot;
        // r, then v with momentum, then ḡ when centered
        StateNames = [.. new[] { "r" }, .. momentum > 0 ? new[] { "v" } : [], .. centered ? new[] { "gbar" } : []];
    }

    /// <summary>The decay rate ρ of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ).</summary>
    public double Epsilon { get; }

    /// <summary>The momentum coefficient μ (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <summary>Whether r − ḡ⊙ḡ (the centered second moment) replaces r under the root.</summary>
    public bool Centered { get; }

    /// <summary>True when δ is added under the root, √(δ + r) (the lectures'); false when added after it, √r + δ (PyTorch's).</summary>
    public bool EpsilonInsideRoot { get; }

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
        var gbar = Centered ? slot.Buffer<T>(Momentum > 0 ? 2 : 1) : default;
        bool inside = EpsilonInsideRoot;
        for (int i = 0, n = theta.Length; i < n; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var acc = FlushSubnormal(rho * Load<T>(r, i) + oneMinusRho * g * g);
            Store(r, i, acc);
            var second = acc;
            if (Centered)
            {
                var mean = FlushSubnormal(rho * Load<T>(gbar, i) + oneMinusRho * g);
                Store(gbar, i, mean);
                second = Vector.Max(acc - mean * mean, Vector<T>.Zero);
            }
            var step = alpha / (inside ? Vector.SquareRoot(delta + second) : Vector.SquareRoot(second) + delta) * g;
            if (Momentum == 0)
            {
                Store(theta, i, th - step);
                continue;
            }
            var vel = FlushSubnormal(mu * Load<T>(v, i) - step);
            Store(v, i, vel);
            Store(theta, i, Nesterov ? th + mu * vel - step : th + vel);
        }
    }
}
