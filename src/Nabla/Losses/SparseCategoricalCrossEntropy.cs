using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Cross-entropy against integer class labels, without one-hot encoding them (Keras's
/// <c>SparseCategoricalCrossentropy</c>): lₙ = −log pₙ_(yₙ), then the reduction. By default (<c>fromLogits: false</c>,
/// as in Keras) p is the prediction itself, class probabilities clamped to [δ, 1] inside the logarithm
/// (δ = <see cref="Epsilon"/>), with gradient −1/p at the label. With <c>fromLogits: true</c> the prediction holds raw
/// scores x and p = softmax(x), computed stably as lₙ = lse(xₙ) − xₙ_(yₙ) by the same fused kernel as
/// <see cref="CrossEntropy"/> (gradient softmax − onehot).
/// </summary>
/// <remarks><c>fromLogits</c> means the same in every cross-entropy loss (see <see cref="Loss"/>); before it did, this
/// loss defaulted to logits, and a model that outputs logits now needs <c>fromLogits: true</c> (probabilities outside
/// [0, 1] are refused with a message saying so). Labels are a [N] tensor of whole numbers stored as floats, or an
/// <c>int[]</c>; each must lie in [0, K), else a <see cref="ValueException"/> names the label and its row. The loss's
/// element is the sample: <see cref="Reduction.SumAll"/>, <see cref="Reduction.MeanAll"/> and
/// <see cref="Reduction.PerElement"/> are <see cref="Reduction.Sum"/>, <see cref="Reduction.Mean"/> and
/// <see cref="Reduction.None"/> (as PyTorch reduces its cross-entropy).</remarks>
public sealed class SparseCategoricalCrossEntropy : Loss
{
    /// <summary>Softmax when the predictions are logits, none when they are probabilities.</summary>
    public override OutputActivation OutputActivation => FromLogits ? OutputActivation.Softmax : OutputActivation.None;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="fromLogits">True when predictions are raw scores; false (the default, as in Keras) for probabilities.</param>
    /// <param name="epsilon">δ, the smallest probability inside the logarithm (probabilities only), in (0, 1).</param>
    public SparseCategoricalCrossEntropy(Reduction reduction = Reduction.Mean, bool fromLogits = false, double epsilon = 1e-7) : base(reduction)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>True when predictions are logits (the softmax is fused in), false when they are probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>δ, the smallest probability inside the logarithm when <see cref="FromLogits"/> is false.</summary>
    public double Epsilon { get; }

    /// <summary>The loss of predictions [N, K] against class labels [N] stored as whole numbers in [0, K).</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        return Apply(prediction, LossChecks.Labels(Name, target, prediction.Shape.Dims[0], k), k);
    }

    /// <summary>The loss of predictions [N, K] against integer class labels in [0, K).</summary>
    public override Tensor Forward(Tensor prediction, int[] labels)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        return Apply(prediction, LossChecks.Labels(Name, labels, prediction.Shape.Dims[0], k), k);
    }

    private Tensor Apply(Tensor prediction, int[] labels, int k)
    {
        var reduction = LossChecks.PerSample(Reduction);
        if (FromLogits) return SoftmaxCrossEntropy.Apply(Name, prediction, labels, null, 0, null, reduction);
        LossChecks.Probabilities(Name, prediction);

        int n = labels.Length;
        double eps = Epsilon;
        var loss = new double[n];
        for (int i = 0; i < n; i++) loss[i] = -Math.Log(Math.Clamp(prediction.GetFlat(i * k + labels[i]), eps, 1));
        Tensor y;
        double scale = reduction == Reduction.Mean ? 1.0 / n : 1.0;
        if (reduction == Reduction.None)
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
                double gi = reduction == Reduction.None ? g.GetFlat(i) : g.GetFlat(0) * scale;
                dp.SetFlat(i * k + labels[i], -gi / Math.Clamp(p.GetFlat(i * k + labels[i]), eps, 1));
            }
            p.AccumulateGrad(dp);
        });
    }
}
