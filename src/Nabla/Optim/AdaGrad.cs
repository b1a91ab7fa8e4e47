using System.Numerics;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// AdaGrad: every parameter element gets its own rate, inversely proportional to the root of the sum of its past
/// squared gradients (the lectures' algorithm, element-wise):
/// r ← r + g ⊙ g;  Δθ = −α / (δ + √r) ⊙ g;  θ ← θ + Δθ,  with r starting at 0 and δ = <see cref="Epsilon"/> = 1e-7 by default.
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
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r for numerical stability.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public AdaGrad(IEnumerable<Parameter> parameters, double learningRate = 0.01, double epsilon = 1e-7, double weightDecay = 0)
        : this([new ParamGroup(parameters)], learningRate, epsilon, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r for numerical stability.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public AdaGrad(IEnumerable<ParamGroup> groups, double learningRate = 0.01, double epsilon = 1e-7, double weightDecay = 0)
        : base(groups, learningRate, weightDecay)
    {
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
    }

    /// <summary>The stabilizing constant epsilon (the lectures' δ).</summary>
    public double Epsilon { get; }

    private protected override string[] StateNames { get; } = ["r"];

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var alpha = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        var delta = Splat<T>(Epsilon);
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
