using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy on raw scores (logits) x under PyTorch's name (<c>BCEWithLogitsLoss</c>): the same loss as
/// <see cref="BinaryCrossEntropy"/> created with <c>fromLogits: true</c>, sigmoid and cross-entropy fused, numerically
/// stable for any x: lₙ = (1/M)·Σⱼ [(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)], then the reduction, where
/// softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)) = −log σ(x). With w = 1 this is max(x, 0) − x·y + log(1 + e^(−|x|)).
/// Targets y ∈ [0, 1]; w is the positive-class weight. Gradients: ∂/∂x = ((1 − y) − (1 + (w − 1)·y)·σ(−x))/M
/// (= (σ(x) − y)/M for w = 1), ∂/∂y = (−x + (w − 1)·softplus(−x))/M.
/// </summary>
public sealed class BinaryCrossEntropyWithLogits : Loss
{
    /// <summary>Sigmoid: the model outputs logits.</summary>
    public override OutputActivation OutputActivation => OutputActivation.Sigmoid;

    /// <summary>0: a positive logit predicts class 1.</summary>
    public override double DecisionThreshold => 0;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="positiveWeight">w, the weight of the positive-class term.</param>
    public BinaryCrossEntropyWithLogits(Reduction reduction = Reduction.Mean, double positiveWeight = 1) : base(reduction)
    {
        BinaryCrossEntropy.CheckPositiveWeight(Name, positiveWeight);
        PositiveWeight = positiveWeight;
    }

    /// <summary>w, the weight of the positive-class term.</summary>
    public double PositiveWeight { get; }

    /// <summary>Always true: predictions are logits (the name says so; see <see cref="BinaryCrossEntropy.FromLogits"/>).</summary>
    public bool FromLogits => true;

    /// <summary>The loss of logits x [N, ...] against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
        => BinaryCrossEntropy.OnLogits(Name, prediction, target, PositiveWeight, Reduction);
}
