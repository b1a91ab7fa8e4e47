using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Negative log-likelihood on log-probabilities (PyTorch's <c>NLLLoss</c>): for a prediction x [N, K] holding
/// log p (e.g. a <see cref="NN.Activations.LogSoftmax"/> output), class labels yₙ and class weights w (all 1 by
/// default), lₙ = −w_(yₙ)·xₙ_(yₙ), then the reduction; <c>LogSoftmax</c> followed by this loss is
/// <see cref="CrossEntropy"/> on the logits. Gradient: ∂lₙ/∂xₙ_(yₙ) = −w_(yₙ), 0 for every other class.
/// </summary>
/// <remarks>
/// <para>A label equal to <see cref="IgnoreIndex"/> (−100 by default, as in PyTorch) contributes nothing: its lₙ is 0,
/// its row gets no gradient, and it does not count in the mean.</para>
/// <para>Reductions, as PyTorch's (the loss's element is the sample): <see cref="Reduction.Mean"/> is the weighted mean
/// Σₙ lₙ / Σₙ w_(yₙ) over the labels not ignored (N without weights or ignored labels); <see cref="Reduction.Sum"/> is
/// Σₙ lₙ; <see cref="Reduction.None"/> is the [N] vector of lₙ. <see cref="Reduction.MeanAll"/>,
/// <see cref="Reduction.SumAll"/> and <see cref="Reduction.PerElement"/> are the same three. A batch whose labels are
/// all ignored has mean 0 (PyTorch: NaN, 0/0), so that a batch of padding alone does not stop training; a batch whose
/// labels all have weight 0 is refused, as in <see cref="CrossEntropy"/>.</para>
/// <para>The prediction is taken as given: log-probabilities are not checked (nor are they in PyTorch). Labels are a
/// [N] tensor of whole numbers stored as floats, or an <c>int[]</c>; each must lie in [0, K) or equal the ignore index.
/// PyTorch's K-dimensional form ([N, K, d₁, …] with labels [N, d₁, …]) is not supported: move the class axis last and
/// flatten to [N·d₁·…, K].</para>
/// </remarks>
public sealed class NLL : Loss
{
    private readonly double[]? _weights;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How the per-sample losses combine.</param>
    /// <param name="classWeights">w, one finite non-negative weight per class, or null for all 1.</param>
    /// <param name="ignoreIndex">A label value that contributes nothing (PyTorch's <c>ignore_index</c>, default −100).</param>
    public NLL(Reduction reduction = Reduction.Mean, double[]? classWeights = null, int ignoreIndex = -100) : base(reduction)
    {
        if (classWeights != null)
        {
            for (int c = 0; c < classWeights.Length; c++)
                if (!(classWeights[c] >= 0) || double.IsInfinity(classWeights[c]))
                    throw new ValueException($"{Name}: class weight {classWeights[c]} at class {c} is invalid; expected a finite non-negative number");
            _weights = (double[])classWeights.Clone();
        }
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The class weights (a copy), or null when all are 1.</summary>
    public double[]? ClassWeights => (double[]?)_weights?.Clone();

    /// <summary>The label value that is ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>Softmax: applied to log-probabilities it gives the probabilities back (softmax(log p) = p).</summary>
    public override OutputActivation OutputActivation => OutputActivation.Softmax;

    /// <summary>The loss of log-probabilities [N, K] against class labels [N] stored as whole numbers (in [0, K), or the ignore index).</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        int n = prediction.Shape.Dims[0];
        ArgumentNullException.ThrowIfNull(target);
        if (target.Rank != 1 || target.Shape.Dims[0] != n)
            throw new ShapeException($"{Name}: labels of shape {target.Shape} do not fit {n} samples; expected [{n}] class indices");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double v = target.GetFlat(i);
            if (v != Math.Floor(v) || !(Math.Abs(v) <= int.MaxValue))
                throw new ValueException($"{Name}: label {v} at row {i} is not a whole number; expected a class index in [0, {k}) or the ignore index {IgnoreIndex}");
            labels[i] = (int)v;
        }
        return Apply(prediction, labels, k);
    }

    /// <summary>The loss of log-probabilities [N, K] against integer class labels (in [0, K), or the ignore index).</summary>
    public override Tensor Forward(Tensor prediction, int[] labels)
    {
        int k = LossChecks.ClassCount(Name, prediction);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != prediction.Shape.Dims[0])
            throw new ShapeException($"{Name}: {labels.Length} labels given for {prediction.Shape.Dims[0]} samples; expected [{prediction.Shape.Dims[0]}]");
        return Apply(prediction, labels, k);
    }

    private Tensor Apply(Tensor prediction, int[] labels, int k)
    {
        if (_weights != null && _weights.Length != k)
            throw new ShapeException($"{Name}: {_weights.Length} class weights given for {k} classes; expected [{k}]");
        int n = labels.Length;
        var reduction = LossChecks.PerSample(Reduction);
        var weight = new double[n]; // w_(yₙ), 0 for an ignored label
        int counted = 0;
        for (int i = 0; i < n; i++)
        {
            int label = labels[i];
            if (label == IgnoreIndex) continue;
            if ((uint)label >= (uint)k)
                throw new ValueException($"{Name}: label {label} at row {i} is out of range [0, {k}) and is not the ignore index {IgnoreIndex}");
            weight[i] = _weights is null ? 1 : _weights[label];
            counted++;
        }

        var loss = new double[n];
        for (int i = 0; i < n; i++)
            if (weight[i] != 0) loss[i] = -weight[i] * prediction.GetFlat(i * k + labels[i]);

        double scale = 1; // ∂(result)/∂lₙ for the reductions to a scalar
        Tensor result;
        if (reduction == Reduction.None)
        {
            result = Tensor.Zeros([n], prediction.DType);
            for (int i = 0; i < n; i++) result.SetFlat(i, loss[i]);
        }
        else
        {
            double total = 0;
            foreach (double v in loss) total += v;
            if (reduction == Reduction.Mean)
            {
                double denominator = 0;
                foreach (double w in weight) denominator += w;
                if (counted == 0) scale = 0; // every label ignored: 0, no gradient
                else if (denominator <= 0)
                    throw new ValueException($"{Name}: every label in the batch has class weight 0, so the weighted mean is undefined; use Reduction.Sum or give those classes a positive weight");
                else scale = 1 / denominator;
            }
            result = Tensor.Scalar(total * scale, prediction.DType);
        }

        var x = prediction;
        return result.Record(Name, [x], g =>
        {
            var dx = new double[n * k];
            for (int i = 0; i < n; i++)
                if (weight[i] != 0)
                    dx[i * k + labels[i]] = -weight[i] * (reduction == Reduction.None ? g.GetFlat(i) : g.GetFlat(0) * scale);
            x.AccumulateGrad(Tensor.FromArray(dx, n, k).ToDType(x.DType));
        });
    }
}
