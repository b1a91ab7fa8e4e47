using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Squared hinge loss: lₙ = (1/M)·Σⱼ max(0, 1 − yₙⱼ·ŷₙⱼ)², then the reduction, with targets y ∈ {−1, 1}.
/// The square smooths the kink of <see cref="Hinge"/>: ∂/∂ŷ = −2y·max(0, 1 − y·ŷ)/M is continuous.
/// <para>Reductions: <see cref="Reduction.Mean"/> is the mean over all elements; <see cref="Reduction.Sum"/> and
/// <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's convention); <see cref="Reduction.SumAll"/>,
/// <see cref="Reduction.MeanAll"/> and <see cref="Reduction.PerElement"/> work on every element's loss (PyTorch's
/// convention: its sum, its mean, each one shaped like the prediction).</para>
/// </summary>
/// <remarks>Targets must be exactly −1 or 1, as for <see cref="Hinge"/> (0/1 labels are rejected, not converted). No gradient flows to the targets.</remarks>
public sealed class SquaredHinge : Loss
{
    /// <summary>Creates the loss.</summary>
    public SquaredHinge(Reduction reduction = Reduction.Mean) : base(reduction) { }

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
        Hinge.CheckSigns(Name, t);
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: false);
    }

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t, int k) { double h = Math.Max(0, 1 - t * p); return h * h; }
        public double DPrediction(double p, double t, int k) => -2 * t * Math.Max(0, 1 - t * p);
        public double DTarget(double p, double t, int k) => -2 * p * Math.Max(0, 1 - t * p);
    }
}
