using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Categorical cross-entropy (Keras's <c>CategoricalCrossentropy</c>) against target distributions y [N, K] (one-hot
/// or soft): lₙ = −Σ_c yₙ_c·log(pₙ_c), then the reduction. By default (<c>fromLogits: false</c>, as in Keras) the
/// prediction p [N, K] holds class probabilities (e.g. a softmax output), clamped to [δ, 1] inside the logarithm
/// (δ = <see cref="Epsilon"/>), so a zero probability gives a large finite loss, never NaN or ∞; gradients
/// ∂/∂p = −y/p, ∂/∂y = −log p (at the clamped p). With <c>fromLogits: true</c> the prediction holds raw scores x and
/// p = softmax(x) is fused in, exactly: lₙ = Σ_c yₙ_c·(lse(xₙ) − xₙ_c), as <see cref="CrossEntropy"/> computes it.
/// </summary>
/// <remarks>
/// <c>fromLogits</c> means the same in every cross-entropy loss (see <see cref="Loss"/>). For integer labels use
/// <see cref="SparseCategoricalCrossEntropy"/>. The loss's element is the sample (the class axis is summed by the
/// formula): <see cref="Reduction.SumAll"/>, <see cref="Reduction.MeanAll"/> and <see cref="Reduction.PerElement"/>
/// are <see cref="Reduction.Sum"/>, <see cref="Reduction.Mean"/> and <see cref="Reduction.None"/>, as PyTorch's
/// <c>CrossEntropyLoss</c> on soft targets reduces.
/// </remarks>
public sealed class CategoricalCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="fromLogits">True when predictions are raw scores; false (the default, as in Keras) for probabilities.</param>
    /// <param name="epsilon">δ, the smallest probability inside the logarithm (probabilities only), in (0, 1).</param>
    public CategoricalCrossEntropy(Reduction reduction = Reduction.Mean, bool fromLogits = false, double epsilon = 1e-7) : base(reduction)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>True when predictions are logits (the softmax is fused in), false when they are probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>Softmax when the predictions are logits, none when they are probabilities (the default).</summary>
    public override OutputActivation OutputActivation => FromLogits ? OutputActivation.Softmax : OutputActivation.None;

    /// <summary>δ, the smallest probability inside the logarithm when <see cref="FromLogits"/> is false.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of predictions [N, K] (probabilities, or logits with <see cref="FromLogits"/>) against target distributions y [N, K].</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.ClassCount(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        var reduction = LossChecks.PerSample(Reduction);
        if (FromLogits) return SoftmaxCrossEntropy.Apply(Name, prediction, null, t, 0, null, reduction);
        LossChecks.Probabilities(Name, prediction);
        return PointwiseLoss.Apply(new Op(Epsilon), Name, prediction, t, reduction, sumOverSample: true, targetDifferentiable: true);
    }

    private readonly struct Op(double eps) : IPointwiseLoss
    {
        private double Clamp(double p) => Math.Clamp(p, eps, 1);
        public double Value(double p, double t, int k) => t == 0 ? 0 : -t * Math.Log(Clamp(p));
        public double DPrediction(double p, double t, int k) => -t / Clamp(p);
        public double DTarget(double p, double t, int k) => -Math.Log(Clamp(p));
    }
}
