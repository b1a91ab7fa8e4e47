using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// One-hot encoding of class labels 0..K−1: label c becomes a row of K values, 1 at position c and 0 elsewhere
/// (map arbitrary labels to 0..K−1 with <see cref="LabelEncoder{T}"/> first). K is learned by <see cref="Fit"/>
/// (largest training label + 1) or given up front.
/// </summary>
public sealed class OneHotEncoder
{
    /// <summary>Creates an encoder; with <paramref name="numClasses"/> it is fitted already.</summary>
    public OneHotEncoder(int? numClasses = null)
    {
        if (numClasses is int k)
        {
            if (k < 1) throw new ValueException($"OneHotEncoder: numClasses must be at least 1, got {k}");
            NumClasses = k;
        }
    }

    /// <summary>The number of classes K (0 before fitting).</summary>
    public int NumClasses { get; private set; }

    /// <summary>Whether K is known.</summary>
    public bool IsFitted => NumClasses > 0;

    /// <summary>Sets K to the largest label + 1.</summary>
    public void Fit(ReadOnlySpan<int> labels)
    {
        if (labels.Length == 0) throw new ValueException("OneHotEncoder.Fit: no labels given");
        int max = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ValueException($"OneHotEncoder.Fit: label {labels[i]} at position {i} is negative; map labels to 0..K-1 with LabelEncoder");
            max = Math.Max(max, labels[i]);
        }
        NumClasses = max + 1;
    }

    /// <summary>The one-hot rows [N, K] of <paramref name="labels"/>; a label outside 0..K−1 is an error.</summary>
    public Tensor Transform(ReadOnlySpan<int> labels, DType dtype = DType.Float32)
    {
        if (!IsFitted) throw new ValueException("OneHotEncoder.Transform: call Fit first or give numClasses");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)NumClasses)
                throw new ValueException($"OneHotEncoder.Transform: label {labels[i]} at position {i} is outside the {NumClasses} classes seen in training (0..{NumClasses - 1})");
        return Tensor.OneHot(labels, NumClasses, dtype);
    }

    /// <summary>The class of each row of <paramref name="oneHot"/> [N, K] (position of the largest value, so scores work too).</summary>
    public int[] InverseTransform(Tensor oneHot)
    {
        if (oneHot.Rank != 2 || oneHot.Shape[1] != NumClasses)
            throw new ShapeException($"OneHotEncoder.InverseTransform: [N, {NumClasses}] expected, got {oneHot.Shape}");
        var r = new int[oneHot.Shape[0]];
        for (int i = 0; i < r.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < NumClasses; c++)
                if (oneHot.GetFlat(i * NumClasses + c) > oneHot.GetFlat(i * NumClasses + best)) best = c;
            r[i] = best;
        }
        return r;
    }

    /// <summary>The fitted state: <c>num_classes</c> = [K].</summary>
    public IReadOnlyDictionary<string, double[]> ExportState() => new Dictionary<string, double[]> { ["num_classes"] = [NumClasses] };

    /// <summary>Restores a state returned by <see cref="ExportState"/>.</summary>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        double k = FeatureMatrix.Get(state, "num_classes", "OneHotEncoder", 1)[0];
        if (k < 1 || k != Math.Floor(k) || k > int.MaxValue) throw new ValueException($"OneHotEncoder.ImportState: num_classes must be a positive integer, found {k}");
        NumClasses = (int)k;
    }
}
