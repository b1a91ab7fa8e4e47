using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Cross-entropy against integer class labels, without one-hot encoding them: lₙ = −log pₙ_(yₙ), then the reduction.
/// On logits (the default) p = softmax(x), computed stably as lₙ = lse(xₙ) − xₙ_(yₙ) by the same fused kernel as
/// <see cref="CrossEntropy"/> (gradient softmax − onehot). On probabilities (<c>fromLogits: false</c>) p is the
/// prediction itself, clamped to [ε, 1] inside the logarithm, with gradient −1/p at the label.
/// </summary>
/// <remarks>Labels are a [N] tensor of whole numbers stored as floats, or an <c>int[]</c>; each must lie in [0, K),
/// else a <see cref="ValueException"/> names the label and its row.</remarks>
public sealed class SparseCategoricalCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="fromLogits">True (default) when predictions are raw scores; false for probabilities.</param>
    /// <param name="epsilon">ε, the smallest probability inside the logarithm (probabilities only), in (0, 1).</param>
    public SparseCategoricalCrossEntropy(Reduction reduction = Reduction.Mean, bool fromLogits = true, double epsilon = 1e-7) : base(reduction)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>True when predictions are logits, false when they are probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>ε, the smallest probability inside the logarithm.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of predictions [N, K] against class labels [N] stored as whole numbers in [0, K).</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        return Apply(prediction, LossChecks.Labels(Name, target, prediction.Shape.Dims[0], k), k);
    }

    /// <summary>The loss of predictions [N, K] against integer class labels in [0, K).</summary>
    public Tensor Forward(Tensor prediction, int[] labels)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        return Apply(prediction, LossChecks.Labels(Name, labels, prediction.Shape.Dims[0], k), k);
    }

    private Tensor Apply(Tensor prediction, int[] labels, int k)
    {
        if (FromLogits) return SoftmaxCrossEntropy.Apply(Name, prediction, labels, null, 0, null, Reduction);

        int n = labels.Length;
        double eps = Epsilon;
        var loss = new double[n];
        for (int i = 0; i < n; i++) loss[i] = -Math.Log(Math.Clamp(prediction.GetFlat(i * k + labels[i]), eps, 1));
        Tensor y;
        double scale = Reduction == Reduction.Mean ? 1.0 / n : 1.0;
        if (Reduction == Reduction.None)
        {
            y = Tensor.Zeros([n], prediction.DType);
            for (int i = 0; i < n; i++) y.SetFlat(i, loss[i]);
        }
        else
        {
            double total = 0;
            foreach (double v in loss) total += v;
            y = Tensor.Scalar(total * scale, prediction.DType);
        }
        var p = prediction;
        return y.Record(Name, [p], g =>
        {
            // ∂lₙ/∂pₙ_(yₙ) = −1/p (at the clamped p); every other element gets 0
            var dp = Tensor.Zeros([n, k], p.DType);
            for (int i = 0; i < n; i++)
            {
                double gi = Reduction == Reduction.None ? g.GetFlat(i) : g.GetFlat(0) * scale;
                dp.SetFlat(i * k + labels[i], -gi / Math.Clamp(p.GetFlat(i * k + labels[i]), eps, 1));
            }
            p.AccumulateGrad(dp);
        });
    }
}
