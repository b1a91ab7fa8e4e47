using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Layers applied one after another; children are named 0, 1, 2, … (<c>0.weight</c>).</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers;

    /// <summary>Creates the chain.</summary>
    public Sequential(params Module[] layers) => _layers = [.. layers];

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Appends a layer. Returns this.</summary>
    public Sequential Add(Module layer)
    {
        _layers.Add(layer);
        return this;
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        for (int i = 0; i < _layers.Count; i++) yield return (i.ToString(System.Globalization.CultureInfo.InvariantCulture), _layers[i]);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = ForwardChild(layer, x);
        return x;
    }

    /// <inheritdoc/>
    public override string Describe() => $"Sequential({_layers.Count} layers)";
}
