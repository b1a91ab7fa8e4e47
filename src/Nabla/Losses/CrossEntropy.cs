using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Cross-entropy (PyTorch's <c>CrossEntropyLoss</c>), on logits by default with the softmax fused in: for scores x [N, K]
/// and a target distribution t per row, lₙ = −Σ_c w_c·t_c·log softmax(xₙ)_c = Σ_c w_c·t_c·(lse(xₙ) − xₙ_c), then the
/// reduction. With <c>fromLogits: false</c> the prediction holds probabilities p [N, K] instead (e.g. a softmax output)
/// and lₙ = −Σ_c w_c·t_c·log p̂ₙ_c with p̂ = clamp(p, δ, 1), δ = <see cref="Epsilon"/>.
/// </summary>
/// <remarks>
/// <para><c>fromLogits</c> means the same in every cross-entropy loss (see <see cref="Loss"/>): true, the prediction
/// is raw scores and the loss applies the softmax (or sigmoid) itself, exactly; false, it is probabilities, clamped
/// inside the logarithm and checked to lie in [0, 1]. This loss follows PyTorch and defaults to logits.</para>
/// <para>Targets are either class labels — a [N] tensor of whole numbers stored as floats, or an <c>int[]</c> —
/// meaning one-hot rows, or distributions [N, K] (one-hot or soft).</para>
/// <para>Label smoothing ε replaces t with (1 − ε)·t + ε/K. Class weights w [K] scale each class's term; with labels,
/// <see cref="Reduction.Mean"/> then divides by Σₙ w_(yₙ) (the weighted mean, as PyTorch) instead of N.</para>
/// <para>Reductions: the loss's element is the sample (the class axis is summed by the formula), so every reduction is
/// PyTorch's: <see cref="Reduction.Mean"/>, <see cref="Reduction.Sum"/> and <see cref="Reduction.None"/> ([N]) are
/// <c>'mean'</c>, <c>'sum'</c> and <c>'none'</c>, and <see cref="Reduction.MeanAll"/>, <see cref="Reduction.SumAll"/>
/// and <see cref="Reduction.PerElement"/> are the same three.</para>
/// <para>lse(x) = m + log Σ_c e^(x_c − m) with m = max x is finite for logits of any magnitude: logits [1000, 0, −1000]
/// give loss 0 for label 0 and 2000 for label 2. Gradient: ∂l/∂x_c = softmax(x)_c·Σ_j w_j·t_j − w_c·t_c
/// (softmax − t without weights); soft targets also receive ∂l/∂t_c = (1 − ε)·w_c·(lse − x_c).
/// Forward and backward are one autograd node, each one pass over the logits. On probabilities:
/// ∂l/∂p_c = −w_c·t_c / p̂_c and ∂l/∂t_c = −(1 − ε)·w_c·log p̂_c.</para>
/// </remarks>
public sealed class CrossEntropy : Loss
{
    private readonly double[]? _weights;

    /// <summary>Softmax when the predictions are logits (the default), none when they are probabilities.</summary>
    public override OutputActivation OutputActivation => FromLogits ? OutputActivation.Softmax : OutputActivation.None;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="labelSmoothing">ε in [0, 1): the target becomes (1 − ε)·t + ε/K.</param>
    /// <param name="classWeights">w, one non-negative weight per class, or null for all 1.</param>
    /// <param name="fromLogits">True (the default, as in PyTorch) when predictions are raw scores; false for probabilities.</param>
    /// <param name="epsilon">δ, the smallest probability inside the logarithm (probabilities only), in (0, 1).</param>
    public CrossEntropy(Reduction reduction = Reduction.Mean, double labelSmoothing = 0, double[]? classWeights = null,
        bool fromLogits = true, double epsilon = 1e-7) : base(reduction)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ValueException($"{Name}: labelSmoothing must lie in [0, 1), got {labelSmoothing}");
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        if (classWeights != null)
        {
            for (int c = 0; c < classWeights.Length; c++)
                if (!(classWeights[c] >= 0) || double.IsInfinity(classWeights[c]))
                    throw new ValueException($"{Name}: class weight {classWeights[c]} at class {c} is invalid; expected a finite non-negative number");
            _weights = (double[])classWeights.Clone();
        }
        LabelSmoothing = labelSmoothing;
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>ε, the label smoothing.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The class weights (a copy), or null when all are 1.</summary>
    public double[]? ClassWeights => (double[]?)_weights?.Clone();

    /// <summary>True when predictions are logits (the softmax is fused in), false when they are probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>δ, the smallest probability inside the logarithm when <see cref="FromLogits"/> is false.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// The loss of predictions [N, K] against either class labels [N] (whole numbers in [0, K), as floats) or target
    /// distributions [N, K]. A label outside [0, K) raises a <see cref="ValueException"/> naming it and its row.
    /// </summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        int n = prediction.Shape.Dims[0];
        ArgumentNullException.ThrowIfNull(target);
        CheckWeights(k);
        if (target.Rank == 1) return Apply(prediction, LossChecks.Labels(Name, target, n, k), null);
        if (target.Shape != prediction.Shape)
            throw new ShapeException($"{Name}: target shape {target.Shape} fits neither labels [{n}] nor distributions {prediction.Shape} for {(FromLogits ? "logits" : "probabilities")} {prediction.Shape}");
        return Apply(prediction, null, LossChecks.SameShape(Name, prediction, target));
    }

    /// <summary>The loss of predictions [N, K] against integer class labels, one per row, each in [0, K).</summary>
    public override Tensor Forward(Tensor prediction, int[] labels)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        CheckWeights(k);
        return Apply(prediction, LossChecks.Labels(Name, labels, prediction.Shape.Dims[0], k), null);
    }

    private Tensor Apply(Tensor prediction, int[]? labels, Tensor? soft)
    {
        var reduction = LossChecks.PerSample(Reduction);
        if (FromLogits) return SoftmaxCrossEntropy.Apply(Name, prediction, labels, soft, LabelSmoothing, _weights, reduction);
        LossChecks.Probabilities(Name, prediction);
        return ProbabilityCrossEntropy.Apply(Name, prediction, labels, soft, LabelSmoothing, _weights, reduction, Epsilon);
    }

    private void CheckWeights(int k)
    {
        if (_weights != null && _weights.Length != k)
            throw new ShapeException($"{Name}: {_weights.Length} class weights given for {k} classes; expected [{k}]");
    }
}
