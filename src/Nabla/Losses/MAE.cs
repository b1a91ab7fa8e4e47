using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Mean absolute error: lₙ = (1/M)·Σⱼ |ŷₙⱼ − yₙⱼ| over the M elements of sample n, then the reduction.
/// More robust to outliers than <see cref="MSE"/>. Gradient: ∂/∂ŷ = sign(ŷ − y)/M, taken as 0 where ŷ = y.
/// <para>Reductions: <see cref="Reduction.Mean"/> is the mean over all elements (PyTorch's <c>L1Loss</c> <c>'mean'</c>);
/// <see cref="Reduction.Sum"/> and <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's convention);
/// <see cref="Reduction.SumAll"/> and <see cref="Reduction.PerElement"/> are PyTorch's <c>'sum'</c> and <c>'none'</c>
/// (the sum of every element's loss, and every element's loss shaped like the prediction).</para>
/// </summary>
public sealed class MAE : Loss
{
    /// <summary>Creates the loss.</summary>
    public MAE(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <summary>The loss of predictions ŷ [N, ...] against targets y of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t, int k) => Math.Abs(p - t);
        public double DPrediction(double p, double t, int k) => Math.Sign(p - t);
        public double DTarget(double p, double t, int k) => -Math.Sign(p - t);
    }
}
