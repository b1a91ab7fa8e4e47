using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy (Keras's <c>BinaryCrossentropy</c>) against targets y ∈ [0, 1], with positive-class weight w
/// (1 by default), over the M elements of each sample, then the reduction.
/// <para>By default (<c>fromLogits: false</c>, as in Keras) the prediction holds probabilities p (e.g. a sigmoid
/// output): lₙ = (1/M)·Σⱼ −[w·y·log p + (1 − y)·log(1 − p)]. p is clamped to [δ, 1 − δ] (δ = <see cref="Epsilon"/>)
/// before the logarithms, so p = 0 and p = 1 give finite losses and gradients, never NaN. Gradients:
/// ∂/∂p = (−w·y/p + (1 − y)/(1 − p))/M, ∂/∂y = (−w·log p + log(1 − p))/M, evaluated at the clamped p (so a saturated
/// prediction still receives a pull back towards the target).</para>
/// <para>With <c>fromLogits: true</c> the prediction holds raw scores x and the sigmoid is fused in, exactly for any x:
/// lₙ = (1/M)·Σⱼ [(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)], where softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)) = −log σ(x)
/// (with w = 1 this is max(x, 0) − x·y + log(1 + e^(−|x|))). Gradients: ∂/∂x = ((1 − y) − (1 + (w − 1)·y)·σ(−x))/M
/// (= (σ(x) − y)/M for w = 1), ∂/∂y = (−x + (w − 1)·softplus(−x))/M. <see cref="BinaryCrossEntropyWithLogits"/> is the
/// same loss under PyTorch's name.</para>
/// </summary>
/// <remarks><c>fromLogits</c> means the same in every cross-entropy loss (see <see cref="Loss"/>); prefer logits where
/// the model can output them: the fused loss is exact where the probability one clamps.</remarks>
public sealed class BinaryCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="positiveWeight">w, the weight of the positive-class term (w &gt; 1 raises recall on rare positives).</param>
    /// <param name="fromLogits">True when predictions are raw scores; false (the default, as in Keras) for probabilities.</param>
    /// <param name="epsilon">δ, the clamp margin of the probabilities (probabilities only), in (0, 0.5).</param>
    public BinaryCrossEntropy(Reduction reduction = Reduction.Mean, double positiveWeight = 1, bool fromLogits = false, double epsilon = 1e-7)
        : base(reduction)
    {
        CheckPositiveWeight(Name, positiveWeight);
        if (!(epsilon > 0 && epsilon < 0.5))
            throw new ValueException($"{Name}: epsilon must lie in (0, 0.5), got {epsilon}");
        PositiveWeight = positiveWeight;
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>w, the weight of the positive-class term.</summary>
    public double PositiveWeight { get; }

    /// <summary>True when predictions are logits (the sigmoid is fused in), false when they are probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>Sigmoid when the predictions are logits, none when they are probabilities (the default).</summary>
    public override OutputActivation OutputActivation => FromLogits ? OutputActivation.Sigmoid : OutputActivation.None;

    /// <summary>For one output: 0 on logits (a positive logit predicts class 1), 0.5 on probabilities.</summary>
    public override double DecisionThreshold => FromLogits ? 0 : 0.5;

    /// <summary>δ, the clamp margin of the probabilities when <see cref="FromLogits"/> is false.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of predictions [N, ...] (probabilities, or logits with <see cref="FromLogits"/>) against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target) => FromLogits
        ? OnLogits(Name, prediction, target, PositiveWeight, Reduction)
        : OnProbabilities(prediction, target);

    private Tensor OnProbabilities(Tensor prediction, Tensor target)
    {
        var t = CheckedTarget(Name, prediction, target);
        LossChecks.Probabilities(Name, prediction);
        return PointwiseLoss.Apply(new ProbabilityOp(PositiveWeight, Epsilon), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    /// <summary>The loss on logits, shared with <see cref="BinaryCrossEntropyWithLogits"/>.</summary>
    internal static Tensor OnLogits(string name, Tensor prediction, Tensor target, double positiveWeight, Reduction reduction)
    {
        var t = CheckedTarget(name, prediction, target);
        return PointwiseLoss.Apply(new LogitOp(positiveWeight), name, prediction, t, reduction, sumOverSample: false, targetDifferentiable: true);
    }

    internal static void CheckPositiveWeight(string name, double positiveWeight)
    {
        if (!(positiveWeight >= 0) || double.IsInfinity(positiveWeight))
            throw new ValueException($"{name}: positiveWeight must be finite and non-negative, got {positiveWeight}");
    }

    private static Tensor CheckedTarget(string name, Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(name, prediction);
        var t = LossChecks.SameShape(name, prediction, target);
        LossChecks.Elements(name, "target", t, v => v >= 0 && v <= 1, "expected a value in [0, 1]");
        return t;
    }

    private readonly struct ProbabilityOp(double w, double eps) : IPointwiseLoss
    {
        private double Clamp(double p) => Math.Clamp(p, eps, 1 - eps);
        public double Value(double p, double t) { p = Clamp(p); return -(w * t * Math.Log(p) + (1 - t) * Math.Log(1 - p)); }
        public double DPrediction(double p, double t) { p = Clamp(p); return -w * t / p + (1 - t) / (1 - p); }
        public double DTarget(double p, double t) { p = Clamp(p); return -w * Math.Log(p) + Math.Log(1 - p); }
    }

    private readonly struct LogitOp(double w) : IPointwiseLoss
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
