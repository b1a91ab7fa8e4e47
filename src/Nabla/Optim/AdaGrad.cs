using System.Numerics;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// AdaGrad: every parameter element gets its own rate, inversely proportional to the root of the sum of its past
/// squared gradients (the lectures' algorithm, element-wise):
/// r ← r + g ⊙ g;  Δθ = −α / (δ + √r) ⊙ g;  θ ← θ + Δθ,  with r starting at 0 and δ = 1e-7 by default.
/// g is the gradient plus the optional penalties λ₂θ and λ₁·sign(θ).
/// </summary>
/// <remarks>
/// This is the lectures' w ← w − η/√(Σᵢ (gⁱ)²)·g: the 1/√(t+1) of a 1/t decay cancels against the root mean square.
/// </remarks>
public sealed class AdaGrad : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="delta">δ &gt; 0, added to √r for numerical stability.</param>
    public AdaGrad(IEnumerable<Parameter> parameters, double learningRate = 0.01, double delta = 1e-7)
        : this([new ParamGroup(parameters)], learningRate, delta) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="delta">δ &gt; 0, added to √r for numerical stability.</param>
    public AdaGrad(IEnumerable<ParamGroup> groups, double learningRate = 0.01, double delta = 1e-7)
        : base(groups, learningRate)
    {
        Delta = OptionCheck.Positive(Name, "delta", delta);
    }

    /// <summary>The stabilizing constant δ.</summary>
    public double Delta { get; }

    private protected override string[] StateNames { get; } = ["r"];

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var alpha = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        var delta = Splat<T>(Delta);
        var r = slot.Buffer<T>(0);
        for (int i = 0, n = theta.Length; i < n; i += Vector<T>.Count)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var acc = Load<T>(r, i) + g * g;
            Store(r, i, acc);
            Store(theta, i, th - alpha / (delta + Vector.SquareRoot(acc)) * g);
        }
    }
}
