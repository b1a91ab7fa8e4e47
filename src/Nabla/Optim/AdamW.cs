using Nabla.NN;

namespace Nabla.Optim;

/// <summary>
/// AdamW (Loshchilov and Hutter): <see cref="Adam"/> with decoupled weight decay λ = <see cref="Optimizer.WeightDecay"/>
/// (default 0.01, as in PyTorch; an explicit 0 means no decay, i.e. Adam): the decay shrinks the weights directly instead of entering the moments,
/// s ← ρ₁s + (1 − ρ₁) g;  r ← ρ₂r + (1 − ρ₂) g ⊙ g;  ŝ = s / (1 − ρ₁ᵗ);  r̂ = r / (1 − ρ₂ᵗ);
/// θ ← θ − α λ θ − α ŝ / (√r̂ + δ),
/// both terms taken at the current θ, with α the current (scheduled) rate, as in PyTorch. Biases are not decayed unless
/// <see cref="Optimizer.RegularizeBiases"/> is set. The L1 penalty, if any, still enters g: g ← g + λ₁·sign(θ).
/// With <c>amsgrad: true</c> the largest second moment so far replaces r̂, as in <see cref="Adam"/>.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1).</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r̂ for numerical stability.</param>
    /// <param name="weightDecay">The decoupled decay λ ≥ 0 (default 0.01; 0 for none).</param>
    /// <param name="amsgrad">True for AMSGrad: the step divides by the largest second moment so far (see <see cref="Adam"/>).</param>
    public AdamW(IEnumerable<Parameter> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1).</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1).</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r̂ for numerical stability.</param>
    /// <param name="weightDecay">The decoupled decay λ ≥ 0 (default 0.01; 0 for none).</param>
    /// <param name="amsgrad">True for AMSGrad: the step divides by the largest second moment so far (see <see cref="Adam"/>).</param>
    public AdamW(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad) { }

    private protected override bool DecoupledWeightDecay => true;
}
