using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Mean squared error: lₙ = (1/M)·Σⱼ (ŷₙⱼ − yₙⱼ)² over the M elements of sample n, then the reduction
/// (so <see cref="Reduction.Mean"/> is the mean of all squared differences).
/// Gradients: ∂/∂ŷ = 2(ŷ − y)/M, ∂/∂y = −2(ŷ − y)/M, before the reduction's 1/N.
/// <para>Reductions: <see cref="Reduction.Mean"/> is the mean over all elements (PyTorch's <c>MSELoss</c> <c>'mean'</c>);
/// <see cref="Reduction.Sum"/> and <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's convention);
/// <see cref="Reduction.SumAll"/> and <see cref="Reduction.PerElement"/> are PyTorch's <c>'sum'</c> and <c>'none'</c>
/// (the sum of every element's loss, and every element's loss shaped like the prediction).</para>
/// </summary>
/// <remarks>The lectures' single-example form ½(y − ŷ)² differs only by the constant ½.</remarks>
public sealed class MSE : Loss
{
    /// <summary>Creates the loss.</summary>
    public MSE(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <summary>The loss of predictions ŷ [N, ...] against targets y of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t, int k) => (p - t) * (p - t);
        public double DPrediction(double p, double t, int k) => 2 * (p - t);
        public double DTarget(double p, double t, int k) => -2 * (p - t);
    }
}
