using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// One validated layer of a <see cref="ModelSpec"/>: its type name (<c>conv2d</c>, <c>relu</c>, …) and the fields
/// that were given. Values are <see cref="int"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> (a choice
/// such as GELU's <c>approximate</c>), <see cref="Size2d"/> (kernel sizes, strides, paddings) or a list of
/// <see cref="LayerSpec"/> (the branches of <c>residual</c> and <c>sequential</c>).
/// Created by <see cref="ModelSpec.Parse"/> or <see cref="ModelSpec.FromModule"/>, which check every field.
/// </summary>
public sealed class LayerSpec
{
    internal LayerSpec(string type, IReadOnlyDictionary<string, object> fields)
    {
        Type = type;
        Fields = fields;
    }

    /// <summary>The layer type, e.g. <c>conv2d</c>.</summary>
    public string Type { get; }

    /// <summary>The fields given (defaults are not filled in), in the order of the layer type's field list.</summary>
    public IReadOnlyDictionary<string, object> Fields { get; }

    /// <summary>The nested layers of field <paramref name="name"/> (<c>layers</c> or <c>shortcut</c>), or an empty list.</summary>
    public IReadOnlyList<LayerSpec> Children(string name = "layers")
        => Fields.TryGetValue(name, out var v) && v is IReadOnlyList<LayerSpec> list ? list : [];

    /// <inheritdoc/>
    public override string ToString() => $"{Type}({string.Join(", ", Fields.Select(f => $"{f.Key}={(f.Value is IReadOnlyList<LayerSpec> l ? $"[{l.Count} layers]" : f.Value)}"))})";
}
