using System.Text;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Argument checks shared by the losses; every message starts with the loss's name.</summary>
internal static class LossChecks
{
    /// <summary>The batch size N of a prediction [N, ...]; it must have at least one dimension and one sample.</summary>
    public static int BatchSize(string name, Tensor prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (prediction.Rank == 0)
            throw new ShapeException($"{name}: the prediction is a scalar; expected a batch [N, ...] with the samples along axis 0");
        int n = prediction.Shape.Dims[0];
        if (n == 0) throw new ShapeException($"{name}: the batch is empty (prediction shape {prediction.Shape}); expected at least one sample");
        return n;
    }

    /// <summary>Checks that the target has the prediction's shape and returns it converted to the prediction's element type (recorded, so gradients still reach it).</summary>
    public static Tensor SameShape(string name, Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Shape != prediction.Shape)
            throw new ShapeException($"{name}: target shape {target.Shape} differs from prediction shape {prediction.Shape}; expected a target of shape {prediction.Shape}");
        return target.DType == prediction.DType ? target : target.ToDType(prediction.DType);
    }

    /// <summary>
    /// The reduction for a loss whose element is the sample (the cross-entropies: the class axis belongs to the loss):
    /// PyTorch's reductions over every element are then the per-sample ones (<see cref="Reduction.SumAll"/> is
    /// <see cref="Reduction.Sum"/>, <see cref="Reduction.MeanAll"/> is <see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.PerElement"/> is <see cref="Reduction.None"/>).
    /// </summary>
    public static Reduction PerSample(Reduction reduction) => reduction switch
    {
        Reduction.SumAll => Reduction.Sum,
        Reduction.MeanAll => Reduction.Mean,
        Reduction.PerElement => Reduction.None,
        _ => reduction,
    };

    /// <summary>Checks that the logits or probabilities are a matrix [N, K] with K ≥ 1 and returns K.</summary>
    public static int ClassCount(string name, Tensor prediction)
    {
        BatchSize(name, prediction);
        if (prediction.Rank != 2)
            throw new ShapeException($"{name}: prediction shape {prediction.Shape} has rank {prediction.Rank}; expected [N, K] (N samples, K classes)");
        int k = prediction.Shape.Dims[1];
        if (k == 0) throw new ShapeException($"{name}: prediction shape {prediction.Shape} has no classes; expected K ≥ 1");
        return k;
    }

    /// <summary>Reads class labels stored as a [N] tensor of whole numbers and checks each lies in [0, K).</summary>
    public static int[] Labels(string name, Tensor labels, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rank != 1 || labels.Shape.Dims[0] != n)
            throw new ShapeException($"{name}: labels of shape {labels.Shape} do not fit {n} samples; expected [{n}] class indices (or one-hot targets [{n},{k}])");
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            double v = labels.GetFlat(i);
            if (v != Math.Floor(v))
                throw new ValueException($"{name}: label {v} at row {i} is not a whole number; expected a class index in [0, {k})");
            if (v < 0 || v >= k)
                throw new ValueException($"{name}: label {v} at row {i} is out of range [0, {k})");
            result[i] = (int)v;
        }
        return result;
    }

    /// <summary>Checks class labels given as integers: one per sample, each in [0, K).</summary>
    public static int[] Labels(string name, int[] labels, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != n)
            throw new ShapeException($"{name}: {labels.Length} labels given for {n} samples; expected [{n}]");
        for (int i = 0; i < n; i++)
            if ((uint)labels[i] >= (uint)k)
                throw new ValueException($"{name}: label {labels[i]} at row {i} is out of range [0, {k})");
        return labels;
    }

    /// <summary>
    /// Checks that a prediction taken as probabilities (<c>fromLogits: false</c>) lies in [0, 1], up to rounding
    /// (1e-6); NaN passes, so that a diverging model still shows as a NaN loss. A value outside names the element and
    /// points to <c>fromLogits: true</c>: raw scores given to a probability loss would otherwise be clamped silently.
    /// </summary>
    public static void Probabilities(string name, Tensor prediction)
    {
        const double slack = 1e-6;
        for (int i = 0; i < prediction.Numel; i++)
        {
            double v = prediction.GetFlat(i);
            if (v < -slack || v > 1 + slack)
                throw new ValueException($"{name}: prediction {v} at index {IndexText(prediction.Shape, i)} is not a probability in [0, 1] (the loss was created with fromLogits: false); for raw scores (logits) create it with fromLogits: true");
        }
    }

    /// <summary>Throws a <see cref="ValueException"/> for the first element of <paramref name="t"/> that fails <paramref name="ok"/>.</summary>
    /// <param name="name">The loss's name.</param>
    /// <param name="what">What the tensor is ("target", "prediction").</param>
    /// <param name="t">The tensor to check.</param>
    /// <param name="ok">The test every element must pass.</param>
    /// <param name="expected">What was expected, e.g. "expected −1 or 1".</param>
    public static void Elements(string name, string what, Tensor t, Func<double, bool> ok, string expected)
    {
        for (int i = 0; i < t.Numel; i++)
        {
            double v = t.GetFlat(i);
            if (!ok(v)) throw new ValueException($"{name}: {what} {v} at index {IndexText(t.Shape, i)} is invalid; {expected}");
        }
    }

    private static string IndexText(Shape shape, int flat)
    {
        var dims = shape.Dims;
        var idx = new int[dims.Length];
        for (int a = dims.Length - 1; a >= 0; a--) { idx[a] = flat % dims[a]; flat /= dims[a]; }
        var sb = new StringBuilder("[");
        for (int a = 0; a < idx.Length; a++) sb.Append(a == 0 ? "" : ",").Append(idx[a]);
        return sb.Append(']').ToString();
    }

    /// <summary>
    /// The divisor of a mean cross-entropy: the batch size n, or with class labels and class weights Σ w_yₙ (as
    /// PyTorch), which must be positive.
    /// </summary>
    internal static double MeanDenominator(string name, int n, int[]? labels, double[]? weights)
    {
        if (labels == null || weights == null) return n;
        double denominator = 0;
        foreach (int c in labels) denominator += weights[c];
        if (denominator <= 0)
            throw new ValueException($"{name}: every label in the batch has class weight 0, so the weighted mean is undefined; use Reduction.Sum or give those classes a positive weight");
        return denominator;
    }
}
