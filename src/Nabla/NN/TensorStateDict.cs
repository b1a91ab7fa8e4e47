using System.Collections;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A module's weights as PyTorch's <c>state_dict()</c> holds them: tensors by hierarchical name (<c>0.weight</c>,
/// <c>features.1.running_mean</c>), in insertion order. What <see cref="Module.StateDict"/> returns,
/// <see cref="Module.LoadStateDict"/> takes, and <see cref="IO.Torch.TorchFile"/> reads and writes.
/// Not to be confused with <see cref="Tensors.StateDict"/>, the training state (optimizer moments, schedules,
/// generators) of <see cref="IStateful"/> objects.
/// </summary>
public sealed class TensorStateDict : IReadOnlyDictionary<string, Tensor>
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Creates an empty state dict; <paramref name="source"/> names where it came from (a file) in errors.</summary>
    public TensorStateDict(string? source = null) => Source = source;

    /// <summary>Where the tensors came from (a file name), used in error messages; null for an in-memory dict.</summary>
    public string? Source { get; init; }

    /// <summary>Adds a tensor under a new name, or replaces the tensor under an existing one (keeping its position). Returns this.</summary>
    public TensorStateDict Set(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensors.ContainsKey(name)) _order.Add(name);
        _tensors[name] = tensor;
        return this;
    }

    /// <summary>The tensor under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none; the message names the key and the source.</exception>
    public Tensor this[string key] => _tensors.TryGetValue(key, out var t) ? t
        : throw new KeyNotFoundException($"{Source ?? "state dict"}: no tensor '{key}'");

    /// <summary>The names in insertion order.</summary>
    public IEnumerable<string> Keys => _order;

    /// <summary>The tensors in insertion order.</summary>
    public IEnumerable<Tensor> Values => _order.Select(k => _tensors[k]);

    /// <summary>The number of tensors.</summary>
    public int Count => _order.Count;

    /// <summary>Whether a tensor is stored under <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>The tensor under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);

    /// <summary>The entries in insertion order.</summary>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _order.Select(k => new KeyValuePair<string, Tensor>(k, _tensors[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
