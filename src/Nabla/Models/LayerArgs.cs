using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Models;

/// <summary>The validated fields of one layer, with defaults, handed to a catalog entry's build function.</summary>
internal sealed class LayerArgs(LayerSpec spec, Generator? generator, Func<IReadOnlyList<LayerSpec>, string, Sequential> buildLayers)
{
    public Generator? Generator => generator;

    public int Int(string name, int fallback = 0) => spec.Fields.TryGetValue(name, out var v) ? (int)v : fallback;

    public double Number(string name, double fallback) => spec.Fields.TryGetValue(name, out var v) ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => spec.Fields.TryGetValue(name, out var v) ? (string)v : fallback;

    public bool Bool(string name, bool fallback) => spec.Fields.TryGetValue(name, out var v) ? (bool)v : fallback;

    public Size2d Size(string name, Size2d fallback) => OptionalSize(name) ?? fallback;

    public Size2d? OptionalSize(string name) => spec.Fields.TryGetValue(name, out var v) ? (Size2d)v : null;

    public Sequential Layers(string name) => buildLayers(spec.Children(name), name);

    public Sequential? OptionalLayers(string name) => spec.Fields.ContainsKey(name) ? Layers(name) : null;
}
