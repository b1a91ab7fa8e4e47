using System.Globalization;
using Nabla.Errors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Maps arbitrary labels (strings such as "setosa", or numbers such as 3, 7, 9) to class indices 0..K−1 and back.
/// The classes seen by <see cref="Fit"/> are sorted (<see cref="Comparer{T}.Default"/>; ordinal for strings), so the
/// mapping does not depend on the order of the data.
/// </summary>
/// <typeparam name="T">The label type: <see cref="string"/> or a numeric type.</typeparam>
public sealed class LabelEncoder<T> where T : notnull
{
    private T[] _classes = [];
    private Dictionary<T, int> _index = [];

    /// <summary>The classes in index order (class i has index i).</summary>
    public IReadOnlyList<T> Classes => _classes;

    /// <summary>The number of classes K.</summary>
    public int NumClasses => _classes.Length;

    /// <summary>Whether <see cref="Fit"/> (or <see cref="ImportState"/>) has run.</summary>
    public bool IsFitted => _classes.Length > 0;

    /// <summary>Learns the distinct labels.</summary>
    public void Fit(IEnumerable<T> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        IComparer<T> cmp = typeof(T) == typeof(string) ? (IComparer<T>)(object)StringComparer.Ordinal : Comparer<T>.Default;
        var classes = labels.Distinct().Order(cmp).ToArray();
        if (classes.Length == 0) throw new ValueException("LabelEncoder.Fit: no labels given");
        SetClasses(classes);
    }

    private void SetClasses(T[] classes)
    {
        _classes = classes;
        _index = new Dictionary<T, int>(classes.Length);
        for (int i = 0; i < classes.Length; i++)
            if (!_index.TryAdd(classes[i], i)) throw new ValueException($"LabelEncoder: class '{classes[i]}' appears twice");
    }

    /// <summary>The class index of each label; a label not seen in <see cref="Fit"/> is an error.</summary>
    public int[] Transform(IEnumerable<T> labels)
    {
        if (!IsFitted) throw new ValueException("LabelEncoder.Transform: call Fit first");
        return labels.Select((l, i) => _index.TryGetValue(l, out int c) ? c
            : throw new ValueException($"LabelEncoder.Transform: label '{l}' at position {i} was not seen in training (classes: {string.Join(", ", _classes.Take(20))}{(_classes.Length > 20 ? ", …" : "")})")).ToArray();
    }

    /// <summary>Fits on <paramref name="labels"/> and encodes them.</summary>
    public int[] FitTransform(IReadOnlyCollection<T> labels) { Fit(labels); return Transform(labels); }

    /// <summary>The label of each class index.</summary>
    public T[] InverseTransform(ReadOnlySpan<int> indices)
    {
        var r = new T[indices.Length];
        for (int i = 0; i < r.Length; i++)
        {
            if ((uint)indices[i] >= (uint)_classes.Length) throw new ValueException($"LabelEncoder.InverseTransform: index {indices[i]} at position {i} is outside 0..{_classes.Length - 1}");
            r[i] = _classes[indices[i]];
        }
        return r;
    }

    /// <summary>
    /// The fitted state as plain numbers: numeric classes as <c>classes</c>; string classes as their UTF-16 code units
    /// concatenated in <c>class_chars</c> with each string's length in <c>class_lengths</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double[]> ExportState()
    {
        if (!IsFitted) throw new ValueException("LabelEncoder.ExportState: call Fit first");
        if (_classes is string[] names)
            return new Dictionary<string, double[]>
            {
                ["class_lengths"] = names.Select(s => (double)s.Length).ToArray(),
                ["class_chars"] = names.SelectMany(s => s).Select(c => (double)c).ToArray(),
            };
        return new Dictionary<string, double[]> { ["classes"] = _classes.Select(c => Convert.ToDouble(c, CultureInfo.InvariantCulture)).ToArray() };
    }

    /// <summary>Restores a state returned by <see cref="ExportState"/>.</summary>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        if (typeof(T) == typeof(string))
        {
            var lengths = FeatureMatrix.Get(state, "class_lengths", "LabelEncoder");
            var chars = FeatureMatrix.Get(state, "class_chars", "LabelEncoder");
            if (lengths.Sum() != chars.Length) throw new ValueException($"LabelEncoder.ImportState: class_lengths sum to {lengths.Sum()}, class_chars holds {chars.Length}");
            var names = new string[lengths.Length];
            int pos = 0;
            for (int i = 0; i < names.Length; i++)
            {
                int len = (int)lengths[i];
                names[i] = new string(chars.AsSpan(pos, len).ToArray().Select(c => (char)c).ToArray());
                pos += len;
            }
            SetClasses((T[])(object)names);
        }
        else
        {
            var values = FeatureMatrix.Get(state, "classes", "LabelEncoder");
            SetClasses(values.Select(v => (T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture)).ToArray());
        }
    }
}
