using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy on raw scores (logits) x under PyTorch's name (<c>BCEWithLogitsLoss</c>): the same loss as
/// <see cref="BinaryCrossEntropy"/> created with <c>fromLogits: true</c>, sigmoid and cross-entropy fused, numerically
/// stable for any x: lₙ = (1/M)·Σⱼ [(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)], then the reduction, where
/// softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)) = −log σ(x). With w = 1 this is max(x, 0) − x·y + log(1 + e^(−|x|)).
/// Targets y ∈ [0, 1]; w is the positive-class weight, one for all (<c>positiveWeight</c>) or one per class of the
/// prediction's last axis (<c>positiveWeights</c>, PyTorch's <c>pos_weight</c> tensor, broadcast over the other axes).
/// Gradients: ∂/∂x = ((1 − y) − (1 + (w − 1)·y)·σ(−x))/M (= (σ(x) − y)/M for w = 1), ∂/∂y = (−x + (w − 1)·softplus(−x))/M.
/// <para>The reductions: <see cref="Reduction.Mean"/> is PyTorch's <c>'mean'</c>; <see cref="Reduction.Sum"/> and
/// <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's), <see cref="Reduction.SumAll"/> and
/// <see cref="Reduction.PerElement"/> are PyTorch's <c>'sum'</c> and <c>'none'</c>.</para>
/// </summary>
public sealed class BinaryCrossEntropyWithLogits : Loss
{
    private readonly double[]? _positiveWeights;

    /// <summary>Sigmoid: the model outputs logits.</summary>
    public override OutputActivation OutputActivation => OutputActivation.Sigmoid;

    /// <summary>0: a positive logit predicts class 1.</summary>
    public override double DecisionThreshold => 0;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How the element losses combine.</param>
    /// <param name="positiveWeight">w, the weight of the positive-class term.</param>
    /// <param name="positiveWeights">One positive weight per class (the prediction's last axis), PyTorch's
    /// <c>pos_weight</c>; null for the single <paramref name="positiveWeight"/>. Give one or the other.</param>
    public BinaryCrossEntropyWithLogits(Reduction reduction = Reduction.Mean, double positiveWeight = 1, double[]? positiveWeights = null) : base(reduction)
    {
        BinaryCrossEntropy.CheckPositiveWeight(Name, positiveWeight);
        _positiveWeights = BinaryCrossEntropy.CheckPositiveWeights(Name, positiveWeights, positiveWeight);
        PositiveWeight = positiveWeight;
    }

    /// <summary>w, the weight of the positive-class term.</summary>
    public double PositiveWeight { get; }

    /// <summary>The per-class positive weights (a copy), or null when every class uses <see cref="PositiveWeight"/>.</summary>
    public double[]? PositiveWeights => (double[]?)_positiveWeights?.Clone();

    /// <summary>Always true: predictions are logits (the name says so; see <see cref="BinaryCrossEntropy.FromLogits"/>).</summary>
    public bool FromLogits => true;

    /// <summary>The loss of logits x [N, ...] against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
        => BinaryCrossEntropy.OnLogits(Name, prediction, target, PositiveWeight, _positiveWeights, Reduction);
}
