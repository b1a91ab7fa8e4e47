using System.Globalization;
using Nabla.Errors;

namespace Nabla.Tensors;

/// <summary>
/// A state as named tensors (state buffers) and named scalar values (numbers, names, generator words, kept as
/// invariant-culture text so a checkpoint stores them exactly). Keys are hierarchical with '.' (<c>optimizer.lr</c>);
/// <see cref="Add"/> nests a component's state under a prefix and <see cref="Sub"/> takes it back out.
/// </summary>
public sealed class StateDict
{
    /// <summary>The tensors by key (copies belong to the state).</summary>
    public SortedDictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>The scalar values by key, as text.</summary>
    public SortedDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the state has a value or a tensor under <paramref name="key"/>.</summary>
    public bool Contains(string key) => Values.ContainsKey(key) || Tensors.ContainsKey(key);

    /// <summary>Sets a text value.</summary>
    public StateDict Set(string key, string value) { Values[key] = value; return this; }

    /// <summary>Sets an integer value.</summary>
    public StateDict Set(string key, long value) => Set(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sets a real value (round-trip exact, including NaN and infinities).</summary>
    public StateDict Set(string key, double value) => Set(key, value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Sets a list of 64-bit words (a generator's state).</summary>
    public StateDict Set(string key, ReadOnlySpan<ulong> words)
    {
        var parts = new string[words.Length];
        for (int i = 0; i < words.Length; i++) parts[i] = words[i].ToString(CultureInfo.InvariantCulture);
        return Set(key, string.Join(',', parts));
    }

    /// <summary>Sets a tensor.</summary>
    public StateDict Set(string key, Tensor tensor) { Tensors[key] = tensor; return this; }

    /// <summary>The text value under <paramref name="key"/>.</summary>
    /// <exception cref="ValueException">The key is missing.</exception>
    public string GetString(string key) =>
        Values.TryGetValue(key, out var v) ? v : throw new ValueException($"state: '{key}' is missing (keys: {Describe()})");

    /// <summary>The integer under <paramref name="key"/>.</summary>
    public long GetLong(string key) =>
        long.TryParse(GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
            : throw new ValueException($"state: '{key}' should be an integer, found '{GetString(key)}'");

    /// <summary>The real number under <paramref name="key"/>.</summary>
    public double GetDouble(string key) =>
        double.TryParse(GetString(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new ValueException($"state: '{key}' should be a number, found '{GetString(key)}'");

    /// <summary>The 64-bit words under <paramref name="key"/>.</summary>
    public ulong[] GetWords(string key)
    {
        string s = GetString(key);
        if (s.Length == 0) return [];
        var parts = s.Split(',');
        var words = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!ulong.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out words[i]))
                throw new ValueException($"state: '{key}' should be comma-separated 64-bit words, found '{s}'");
        return words;
    }

    /// <summary>The tensor under <paramref name="key"/>.</summary>
    public Tensor GetTensor(string key) =>
        Tensors.TryGetValue(key, out var t) ? t : throw new ValueException($"state: tensor '{key}' is missing");

    /// <summary>Nests <paramref name="child"/> under <paramref name="prefix"/> (its key <c>k</c> becomes <c>prefix.k</c>). Returns this.</summary>
    public StateDict Add(string prefix, StateDict child)
    {
        foreach (var (k, v) in child.Values) Values[$"{prefix}.{k}"] = v;
        foreach (var (k, t) in child.Tensors) Tensors[$"{prefix}.{k}"] = t;
        return this;
    }

    /// <summary>The entries under <paramref name="prefix"/>, with the prefix removed (empty when there are none).</summary>
    public StateDict Sub(string prefix)
    {
        string p = prefix + ".";
        var sub = new StateDict();
        foreach (var (k, v) in Values) if (k.StartsWith(p, StringComparison.Ordinal)) sub.Values[k[p.Length..]] = v;
        foreach (var (k, t) in Tensors) if (k.StartsWith(p, StringComparison.Ordinal)) sub.Tensors[k[p.Length..]] = t;
        return sub;
    }

    /// <summary>Whether any entry lies under <paramref name="prefix"/>.</summary>
    public bool HasSub(string prefix)
    {
        string p = prefix + ".";
        return Values.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal)) || Tensors.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal));
    }

    private string Describe()
    {
        var keys = Values.Keys.Concat(Tensors.Keys).Take(8).ToList();
        return keys.Count == 0 ? "none" : string.Join(", ", keys) + (Values.Count + Tensors.Count > 8 ? ", ..." : "");
    }
}
