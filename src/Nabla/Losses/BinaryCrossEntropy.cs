using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Binary cross-entropy (Keras's <c>BinaryCrossentropy</c>, PyTorch's <c>BCELoss</c>) against targets y ∈ [0, 1], with
/// positive-class weight w (1 by default; one per class with <c>positiveWeights</c>), over the M elements of each
/// sample, then the reduction.
/// <para>By default (<c>fromLogits: false</c>, as in Keras) the prediction holds probabilities p (e.g. a sigmoid
/// output), and each logarithm is clamped at −100 as PyTorch does:
/// lₙ = (1/M)·Σⱼ −[w·y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)], so p = 0 with y = 1 costs exactly 100 and
/// p = 0 or 1 never gives NaN or ∞. Gradient (PyTorch's): ∂/∂p = (p·(1 − y) − w·y·(1 − p)) / max(p·(1 − p), ε₁₂)/M
/// (= (p − y)/max(p·(1 − p), ε₁₂)/M for w = 1), with ε₁₂ = 1e−12 as PyTorch stores it (in float32: 9.999999960041972e−13),
/// so p = 0 with y = 1 receives about −1e12/M and a prediction of exactly 0 or 1 that matches its target receives 0.
/// ∂/∂y = (−w·max(log p, −100) + max(log(1 − p), −100))/M, the derivative of the clamped loss (PyTorch gives ±∞ where
/// p is 0 or 1; this is the one deliberate difference).</para>
/// <para>Keras clamps the probability instead, p ← clamp(p, δ, 1 − δ) with δ = 1e−7 (so p = 0 with y = 1 costs
/// −log 1e−7 ≈ 16.1 and its gradient is about −1e7): give <c>epsilon: 1e-7</c> for that rule, under which
/// ∂/∂p = (−w·y/p + (1 − y)/(1 − p))/M and ∂/∂y = (−w·log p + log(1 − p))/M at the clamped p. PyTorch's rule is the
/// default because it is the better defined one: the loss of a hopeless prediction does not depend on an arbitrary δ,
/// and a confident correct prediction is left alone.</para>
/// <para>With <c>fromLogits: true</c> the prediction holds raw scores x and the sigmoid is fused in, exactly for any x
/// (PyTorch's <c>BCEWithLogitsLoss</c>):
/// lₙ = (1/M)·Σⱼ [(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)], where softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)) = −log σ(x)
/// (with w = 1 this is max(x, 0) − x·y + log(1 + e^(−|x|))). Gradients: ∂/∂x = ((1 − y) − (1 + (w − 1)·y)·σ(−x))/M
/// (= (σ(x) − y)/M for w = 1), ∂/∂y = (−x + (w − 1)·softplus(−x))/M. <see cref="BinaryCrossEntropyWithLogits"/> is the
/// same loss under PyTorch's name.</para>
/// <para>Per-class weights (PyTorch's <c>pos_weight</c> tensor): <c>positiveWeights</c> holds one w per class, the
/// last axis of the prediction (C of [N, C] or [N, ..., C]), broadcast over the other axes as in PyTorch.</para>
/// <para>The reductions: <see cref="Reduction.Mean"/> is PyTorch's <c>'mean'</c>; <see cref="Reduction.Sum"/> and
/// <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's), <see cref="Reduction.SumAll"/> and
/// <see cref="Reduction.PerElement"/> are PyTorch's <c>'sum'</c> and <c>'none'</c>.</para>
/// </summary>
/// <remarks><c>fromLogits</c> means the same in every cross-entropy loss (see <see cref="Loss"/>); prefer logits where
/// the model can output them: the fused loss is exact where the one on probabilities clamps.</remarks>
public sealed class BinaryCrossEntropy : Loss
{
    private readonly double[]? _positiveWeights;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How the element losses combine.</param>
    /// <param name="positiveWeight">w, the weight of the positive-class term (w &gt; 1 raises recall on rare positives).</param>
    /// <param name="fromLogits">True when predictions are raw scores; false (the default, as in Keras) for probabilities.</param>
    /// <param name="epsilon">Null (the default) for PyTorch's rule on probabilities (each logarithm clamped at −100);
    /// δ in (0, 0.5) for Keras's (the probability clamped to [δ, 1 − δ]; Keras uses 1e−7). Probabilities only.</param>
    /// <param name="positiveWeights">One positive weight per class (the prediction's last axis), PyTorch's
    /// <c>pos_weight</c> tensor; null for the single <paramref name="positiveWeight"/>. Give one or the other.</param>
    public BinaryCrossEntropy(Reduction reduction = Reduction.Mean, double positiveWeight = 1, bool fromLogits = false,
        double? epsilon = null, double[]? positiveWeights = null)
        : base(reduction)
    {
        CheckPositiveWeight(Name, positiveWeight);
        _positiveWeights = CheckPositiveWeights(Name, positiveWeights, positiveWeight);
        if (epsilon is double e && !(e > 0 && e < 0.5))
            throw new ValueException($"{Name}: epsilon must lie in (0, 0.5), got {e} (or be null for PyTorch's clamp of each logarithm at -100)");
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

    /// <summary>The per-class positive weights (a copy), or null when every class uses <see cref="PositiveWeight"/>.</summary>
    public double[]? PositiveWeights => (double[]?)_positiveWeights?.Clone();

    /// <summary>
    /// Null (the default) when probabilities follow PyTorch's rule (each logarithm clamped at −100); otherwise δ, the
    /// margin Keras's rule clamps the probabilities to [δ, 1 − δ] with. Used only when <see cref="FromLogits"/> is false.
    /// </summary>
    public double? Epsilon { get; }

    /// <summary>The loss of predictions [N, ...] (probabilities, or logits with <see cref="FromLogits"/>) against targets y ∈ [0, 1] of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target) => FromLogits
        ? OnLogits(Name, prediction, target, PositiveWeight, _positiveWeights, Reduction)
        : OnProbabilities(prediction, target);

    private Tensor OnProbabilities(Tensor prediction, Tensor target)
    {
        var t = CheckedTarget(Name, prediction, target, _positiveWeights);
        LossChecks.Probabilities(Name, prediction);
        var w = new Weights(PositiveWeight, _positiveWeights);
        return Epsilon is double eps
            ? PointwiseLoss.Apply(new KerasProbabilityOp(w, eps), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true)
            : PointwiseLoss.Apply(new ProbabilityOp(w), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    /// <summary>The loss on logits, shared with <see cref="BinaryCrossEntropyWithLogits"/>.</summary>
    internal static Tensor OnLogits(string name, Tensor prediction, Tensor target, double positiveWeight, double[]? positiveWeights, Reduction reduction)
    {
        var t = CheckedTarget(name, prediction, target, positiveWeights);
        return PointwiseLoss.Apply(new LogitOp(new Weights(positiveWeight, positiveWeights)), name, prediction, t, reduction, sumOverSample: false, targetDifferentiable: true);
    }

    internal static void CheckPositiveWeight(string name, double positiveWeight)
    {
        if (!(positiveWeight >= 0) || double.IsInfinity(positiveWeight))
            throw new ValueException($"{name}: positiveWeight must be finite and non-negative, got {positiveWeight}");
    }

    /// <summary>Checks per-class weights (finite, ≥ 0, at least one, not together with a scalar weight other than 1) and returns a copy.</summary>
    internal static double[]? CheckPositiveWeights(string name, double[]? positiveWeights, double positiveWeight)
    {
        if (positiveWeights is null) return null;
        if (positiveWeights.Length == 0) throw new ValueException($"{name}: positiveWeights is empty; expected one weight per class");
        if (positiveWeight != 1)
            throw new ValueException($"{name}: give either positiveWeight ({positiveWeight}) or positiveWeights (one per class), not both");
        for (int c = 0; c < positiveWeights.Length; c++)
            if (!(positiveWeights[c] >= 0) || double.IsInfinity(positiveWeights[c]))
                throw new ValueException($"{name}: positive weight {positiveWeights[c]} of class {c} is invalid; expected a finite non-negative number");
        return (double[])positiveWeights.Clone();
    }

    private static Tensor CheckedTarget(string name, Tensor prediction, Tensor target, double[]? positiveWeights)
    {
        LossChecks.BatchSize(name, prediction);
        var t = LossChecks.SameShape(name, prediction, target);
        int classes = prediction.Rank < 2 ? 1 : prediction.Shape.Dims[^1];
        if (positiveWeights != null && positiveWeights.Length != classes)
            throw new ShapeException($"{name}: {positiveWeights.Length} positive weights for predictions of shape {prediction.Shape}; expected one per class of the last axis ({classes})");
        LossChecks.Elements(name, "target", t, v => v >= 0 && v <= 1, "expected a value in [0, 1]");
        return t;
    }

    /// <summary>w of element k: the one weight, or that of its class (k mod C).</summary>
    private readonly struct Weights(double w, double[]? perClass)
    {
        public double Of(int k) => perClass is null ? w : perClass[k % perClass.Length];
    }

    // PyTorch's rule: each logarithm clamped at −100; ∂/∂p with the denominator clamped at ε₁₂
    private readonly struct ProbabilityOp(Weights weights) : IPointwiseLoss
    {
        // PyTorch's EPSILON of binary_cross_entropy_backward is a float32 constant: 1e-12f = 9.999999960041972e-13
        private const double Eps12 = (double)1e-12f;

        private static double ClampedLog(double v) => Math.Max(Math.Log(v), -100); // Math.Max keeps a NaN

        // PyTorch's order of operations, (y − 1)·max(log(1 − p), −100) − y·max(log p, −100); a term whose weight is 0
        // is 0 even where its logarithm is clamped (0·(−100)), so a matching prediction of exactly 0 or 1 costs 0
        public double Value(double p, double t, int k) => (t - 1) * ClampedLog(1 - p) - weights.Of(k) * t * ClampedLog(p);

        public double DPrediction(double p, double t, int k)
        {
            double w = weights.Of(k);
            return (w == 1 ? p - t : p * (1 - t) - w * t * (1 - p)) / Math.Max((1 - p) * p, Eps12);
        }

        public double DTarget(double p, double t, int k) => -weights.Of(k) * ClampedLog(p) + ClampedLog(1 - p);
    }

    // Keras's rule: the probability clamped to [δ, 1 − δ]
    private readonly struct KerasProbabilityOp(Weights weights, double eps) : IPointwiseLoss
    {
        private double Clamp(double p) => Math.Clamp(p, eps, 1 - eps);
        public double Value(double p, double t, int k) { p = Clamp(p); return -(weights.Of(k) * t * Math.Log(p) + (1 - t) * Math.Log(1 - p)); }
        public double DPrediction(double p, double t, int k) { p = Clamp(p); return -weights.Of(k) * t / p + (1 - t) / (1 - p); }
        public double DTarget(double p, double t, int k) { p = Clamp(p); return -weights.Of(k) * Math.Log(p) + Math.Log(1 - p); }
    }

    private readonly struct LogitOp(Weights weights) : IPointwiseLoss
    {
        // softplus(−x) = −log σ(x), without overflow for any sign of x
        private static double SoftplusNeg(double x) => Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

        // σ(−x) without overflow
        private static double SigmoidNeg(double x) => x >= 0 ? Math.Exp(-x) / (1 + Math.Exp(-x)) : 1 / (1 + Math.Exp(x));

        public double Value(double x, double t, int k) => (1 - t) * x + (1 + (weights.Of(k) - 1) * t) * SoftplusNeg(x);
        public double DPrediction(double x, double t, int k) => (1 - t) - (1 + (weights.Of(k) - 1) * t) * SigmoidNeg(x);
        public double DTarget(double x, double t, int k) => -x + (weights.Of(k) - 1) * SoftplusNeg(x);
    }
}
