using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy on probabilities: lₙ = (1/M)·Σⱼ −[w·y·log p + (1 − y)·log(1 − p)], then the reduction,
/// for predicted probabilities p (e.g. a sigmoid output) and targets y ∈ [0, 1], with positive-class weight w
/// (1 by default). p is clamped to [ε, 1 − ε] before the logarithms, so p = 0 and p = 1 give finite losses and
/// gradients, never NaN. Gradients: ∂/∂p = (−w·y/p + (1 − y)/(1 − p))/M, ∂/∂y = (−w·log p + log(1 − p))/M,
/// evaluated at the clamped p (so a saturated prediction still receives a pull back towards the target).
/// </summary>
/// <remarks>Prefer <see cref="BinaryCrossEntropyWithLogits"/> on raw scores: it is exact where this one clamps.</remarks>
public sealed class BinaryCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="positiveWeight">w, the weight of the positive-class term (w &gt; 1 raises recall on rare positives).</param>
    /// <param name="epsilon">ε, the clamp margin of the probabilities, in (0, 0.5).</param>
    public BinaryCrossEntropy(Reduction reduction = Reduction.Mean, double positiveWeight = 1, double epsilon = 1e-7) : base(reduction)
    {
        if (!(positiveWeight >= 0) || double.IsInfinity(positiveWeight))
            throw new ValueException($"{Name}: positiveWeight must be finite and non-negative, got {positiveWeight}");
        if (!(epsilon > 0 && epsilon < 0.5))
            throw new ValueException($"{Name}: epsilon must lie in (0, 0.5), got {epsilon}");
        PositiveWeight = positiveWeight;
        Epsilon = epsilon;
    }

    /// <summary>w, the weight of the positive-class term.</summary>
    public double PositiveWeight { get; }

    /// <summary>ε, the clamp margin of the probabilities.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of probabilities p [N, ...] against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        LossChecks.Elements(Name, "target", t, v => v >= 0 && v <= 1, "expected a value in [0, 1]");
        return PointwiseLoss.Apply(new Op(PositiveWeight, Epsilon), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    private readonly struct Op(double w, double eps) : IPointwiseLoss
    {
        private double Clamp(double p) => Math.Clamp(p, eps, 1 - eps);
        public double Value(double p, double t) { p = Clamp(p); return -(w * t * Math.Log(p) + (1 - t) * Math.Log(1 - p)); }
        public double DPrediction(double p, double t) { p = Clamp(p); return -w * t / p + (1 - t) / (1 - p); }
        public double DTarget(double p, double t) { p = Clamp(p); return -w * Math.Log(p) + Math.Log(1 - p); }
    }
}
