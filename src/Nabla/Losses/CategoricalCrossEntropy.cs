using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Categorical cross-entropy on probabilities: lₙ = −Σ_c yₙ_c·log(pₙ_c), then the reduction, for predicted
/// class probabilities p [N, K] (e.g. a softmax output) and target distributions y [N, K] (one-hot or soft).
/// p is clamped to [ε, 1] inside the logarithm, so a zero probability gives a large finite loss, never NaN or ∞.
/// Gradients: ∂/∂p = −y/p, ∂/∂y = −log p (at the clamped p).
/// </summary>
/// <remarks>
/// For integer labels use <see cref="SparseCategoricalCrossEntropy"/>; on raw scores prefer <see cref="CrossEntropy"/>,
/// which fuses the softmax and is exact where this one clamps.
/// </remarks>
public sealed class CategoricalCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="epsilon">ε, the smallest probability inside the logarithm, in (0, 1).</param>
    public CategoricalCrossEntropy(Reduction reduction = Reduction.Mean, double epsilon = 1e-7) : base(reduction)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        Epsilon = epsilon;
    }

    /// <summary>ε, the smallest probability inside the logarithm.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of probabilities p [N, K] against target distributions y [N, K].</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.ClassCount(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        return PointwiseLoss.Apply(new Op(Epsilon), Name, prediction, t, Reduction, sumOverSample: true, targetDifferentiable: true);
    }

    private readonly struct Op(double eps) : IPointwiseLoss
    {
        private double Clamp(double p) => Math.Clamp(p, eps, 1);
        public double Value(double p, double t) => t == 0 ? 0 : -t * Math.Log(Clamp(p));
        public double DPrediction(double p, double t) => -t / Clamp(p);
        public double DTarget(double p, double t) => -Math.Log(Clamp(p));
    }
}
