using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Hinge loss (support vector machines): lₙ = (1/M)·Σⱼ max(0, 1 − yₙⱼ·ŷₙⱼ), then the reduction, with targets
/// y ∈ {−1, 1} and raw scores ŷ. Gradient: ∂/∂ŷ = −y/M where y·ŷ &lt; 1, else 0 (0 at the kink y·ŷ = 1).
/// <para>Reductions: <see cref="Reduction.Mean"/> is the mean over all elements; <see cref="Reduction.Sum"/> and
/// <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's convention); <see cref="Reduction.SumAll"/>,
/// <see cref="Reduction.MeanAll"/> and <see cref="Reduction.PerElement"/> work on every element's loss (PyTorch's
/// convention: its sum, its mean, each one shaped like the prediction).</para>
/// </summary>
/// <remarks>
/// As in the lectures, targets must be exactly −1 or 1; other values, including 0/1 labels, raise a
/// <see cref="Errors.ValueException"/> rather than being converted silently (Keras maps 0/1 to −1/1; here
/// write <c>2·y − 1</c> explicitly). No gradient flows to the targets.
/// </remarks>
public sealed class Hinge : Loss
{
    /// <summary>Creates the loss.</summary>
    public Hinge(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <summary>Class labels as ±1 targets: y = 2·t − 1 of the one-hot rows (K outputs, one-vs-all) or of the 0/1 label (one output).</summary>
    protected override Tensor LabelTargets(int[] labels, Tensor prediction)
    {
        var t = base.LabelTargets(labels, prediction);
        if (!(prediction.Rank == 2 && prediction.Shape[1] > 1))
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] is not (0 or 1)) throw new Errors.ValueException($"{Name}: a single score needs labels 0 or 1, got {labels[i]} at row {i}");
        return t * 2.0 - 1.0;
    }

    /// <summary>0: a positive score predicts class 1.</summary>
    public override double DecisionThreshold => 0;

    /// <summary>The loss of scores ŷ [N, ...] against targets y ∈ {−1, 1} of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        CheckSigns(Name, t);
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: false);
    }

    internal static void CheckSigns(string name, Tensor target) =>
        LossChecks.Elements(name, "target", target, v => v == 1 || v == -1, "expected -1 or 1 (convert 0/1 labels with 2*y - 1)");

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t, int k) => Math.Max(0, 1 - t * p);
        public double DPrediction(double p, double t, int k) => 1 - t * p > 0 ? -t : 0;
        public double DTarget(double p, double t, int k) => 1 - t * p > 0 ? -p : 0;
    }
}
