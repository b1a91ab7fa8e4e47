using Nabla.NN;

namespace Nabla.Optim;

/// <summary>
/// The lectures' "RMSProp combined with Nesterov": <see cref="RMSProp"/> with Nesterov momentum μ (the lectures' δ):
/// gradient g at the interim point θ̃ = θ + μv;  r ← ρr + (1 − ρ) g ⊙ g;  v ← μv − α / √(δ + r) ⊙ g;  θ ← θ + v.
/// The parameter holds θ̃ and is updated as θ̃ ← θ̃ + μv − α / √(δ + r) ⊙ g (see <see cref="RMSProp"/>).
/// </summary>
public sealed class RMSPropNesterov : RMSProp
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="momentum">μ in (0, 1).</param>
    /// <param name="epsilon">epsilon (δ in <see cref="RMSProp"/>'s formula) &gt; 0, added to r under the root.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public RMSPropNesterov(IEnumerable<Parameter> parameters, double learningRate = 0.001, double rho = 0.9,
        double momentum = 0.9, double epsilon = 1e-6, double weightDecay = 0)
        : base(parameters, learningRate, rho, epsilon, momentum, nesterov: true, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The global rate α, finite and ≥ 0.</param>
    /// <param name="rho">The decay rate ρ in [0, 1).</param>
    /// <param name="momentum">μ in (0, 1).</param>
    /// <param name="epsilon">epsilon (δ in <see cref="RMSProp"/>'s formula) &gt; 0, added to r under the root.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    public RMSPropNesterov(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double rho = 0.9,
        double momentum = 0.9, double epsilon = 1e-6, double weightDecay = 0)
        : base(groups, learningRate, rho, epsilon, momentum, nesterov: true, weightDecay) { }
}
