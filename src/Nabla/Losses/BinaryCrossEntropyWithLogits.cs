using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy on raw scores (logits) x, i.e. sigmoid and cross-entropy fused, numerically stable for
/// any x: lₙ = (1/M)·Σⱼ [(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)], then the reduction, where
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
        if (!(positiveWeight >= 0) || double.IsInfinity(positiveWeight))
            throw new ValueException($"{Name}: positiveWeight must be finite and non-negative, got {positiveWeight}");
        PositiveWeight = positiveWeight;
    }

    /// <summary>w, the weight of the positive-class term.</summary>
    public double PositiveWeight { get; }

    /// <summary>The loss of logits x [N, ...] against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        LossChecks.Elements(Name, "target", t, v => v >= 0 && v <= 1, "expected a value in [0, 1]");
        return PointwiseLoss.Apply(new Op(PositiveWeight), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    private readonly struct Op(double w) : IPointwiseLoss
    {
        // softplus(−x) = −log σ(x), without overflow for any sign of x
        private static double SoftplusNeg(double x) => Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

        // σ(−x) without overflow
        private static double SigmoidNeg(double x) => x >= 0 ? Math.Exp(-x) / (1 + Math.Exp(-x)) : 1 / (1 + Math.Exp(x));

        public double Value(double x, double t) => (1 - t) * x + (1 + (w - 1) * t) * SoftplusNeg(x);
        public double DPrediction(double x, double t) => (1 - t) - (1 + (w - 1) * t) * SigmoidNeg(x);
        public double DTarget(double x, double t) => -x + (w - 1) * SoftplusNeg(x);
    }
}
