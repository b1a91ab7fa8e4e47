using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// The base of every loss: one <see cref="Forward(Tensor, Tensor)"/> that maps a batch of predictions [N, ...] and targets to
/// a recorded tensor, so <c>loss.Forward(model.Forward(x), y).Backward()</c> trains the model.
/// </summary>
/// <remarks>
/// Each loss first computes a per-sample loss lₙ (n = 0..N−1, axis 0 is the batch), then applies its
/// <see cref="Reduction"/>: <see cref="Reduction.Mean"/> (the default) returns (1/N)·Σₙ lₙ,
/// <see cref="Reduction.Sum"/> returns Σₙ lₙ and <see cref="Reduction.None"/> returns the vector [N] of lₙ.
/// Whether lₙ averages or sums over a sample's remaining elements is stated by each loss: regression and
/// binary losses average (as Keras does), distribution losses (cross-entropies, KL) sum over the classes.
/// PyTorch's reductions, over the loss of every element rather than per sample, are <see cref="Reduction.MeanAll"/>,
/// <see cref="Reduction.SumAll"/> and <see cref="Reduction.PerElement"/> (see <see cref="Reduction"/> for where the
/// two conventions differ).
/// The result has the prediction's element type; the whole loss is one autograd node.
/// <para>Logits or probabilities, one convention for the cross-entropy family (as in Keras): every cross-entropy
/// loss has a <c>FromLogits</c> property and takes <c>fromLogits</c> in its constructor. True: the prediction is raw
/// scores (logits) and the loss applies the softmax (the sigmoid, for binary losses) itself, fused and exact for scores
/// of any size. False: the prediction is probabilities, which must lie in [0, 1], clamped by a small epsilon inside the
/// logarithms. The default follows the library whose name the class carries: the Keras names
/// (<see cref="CategoricalCrossEntropy"/>, <see cref="SparseCategoricalCrossEntropy"/>, <see cref="BinaryCrossEntropy"/>)
/// take probabilities unless given <c>fromLogits: true</c>; PyTorch's <see cref="CrossEntropy"/> takes logits unless
/// given <c>fromLogits: false</c>, and <see cref="BinaryCrossEntropyWithLogits"/> always takes logits
/// (it is <c>BinaryCrossEntropy(fromLogits: true)</c>).</para>
/// </remarks>
public abstract class Loss
{
    /// <summary>Creates a loss with the given reduction.</summary>
    protected Loss(Reduction reduction)
    {
        if (!Enum.IsDefined(reduction))
            throw new ValueException($"{GetType().Name}: reduction {(int)reduction} is not one of {string.Join(", ", Enum.GetNames<Reduction>())}");
        Reduction = reduction;
    }

    /// <summary>How the per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The name used in error messages (the class name, e.g. <c>CrossEntropy</c>).</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Computes the loss of <paramref name="prediction"/> [N, ...] against <paramref name="target"/>.</summary>
    /// <exception cref="ShapeException">The shapes do not fit together.</exception>
    /// <exception cref="ValueException">A target (or label) lies outside the values the loss accepts.</exception>
    public abstract Tensor Forward(Tensor prediction, Tensor target);

    /// <summary>
    /// The loss of <paramref name="prediction"/> against integer class labels (0..K−1, one per row): each loss turns
    /// labels into the targets it takes (<see cref="LabelTargets"/>), so a trainer never needs to know the loss's type.
    /// Cross-entropies on labels override it to index the labels directly.
    /// </summary>
    public virtual Tensor Forward(Tensor prediction, int[] labels) => Forward(prediction, LabelTargets(labels, prediction));

    /// <summary>
    /// Class labels as this loss's targets, for predictions shaped like <paramref name="prediction"/>: one-hot rows
    /// [N, K] when the prediction has K &gt; 1 columns (categorical cross-entropy, KL divergence, MSE on one-hot
    /// targets), else the labels as numbers shaped like the single output ([N] or [N, 1]: 0/1 for binary losses).
    /// </summary>
    protected virtual Tensor LabelTargets(int[] labels, Tensor prediction)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (prediction.Rank == 0 || prediction.Shape[0] != labels.Length)
            throw new ShapeException($"{Name}: {labels.Length} labels for predictions of shape {prediction.Shape}; expected one label per row");
        if (prediction.Rank == 2 && prediction.Shape[1] > 1)
        {
            int k = prediction.Shape[1];
            var t = Tensor.Zeros([labels.Length, k], prediction.DType);
            for (int i = 0; i < labels.Length; i++)
            {
                if ((uint)labels[i] >= (uint)k) throw new ValueException($"{Name}: label {labels[i]} at row {i} is outside the {k} classes 0..{k - 1}");
                t.SetFlat(i * k + labels[i], 1);
            }
            return t;
        }
        var one = Tensor.Zeros(prediction.Rank == 2 ? [labels.Length, 1] : [labels.Length], prediction.DType);
        for (int i = 0; i < labels.Length; i++) one.SetFlat(i, labels[i]);
        return one;
    }

    /// <summary>How outputs of a model trained with this loss become probabilities: <see cref="OutputActivation.None"/> unless the loss works on logits.</summary>
    public virtual OutputActivation OutputActivation => OutputActivation.None;

    /// <summary>
    /// For a model with a single output, the raw output above which the predicted class is 1: 0.5 for a probability
    /// (the default), 0 for a logit or a hinge score.
    /// </summary>
    public virtual double DecisionThreshold => 0.5;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}(reduction: {Reduction})";
}
