using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Layers applied one after another; children are named 0, 1, 2, … (<c>0.weight</c>).</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers;

    // Storage of the intermediate results of inference calls on this thread, reused from call to call.
    [ThreadStatic] private static TensorArena? t_inferenceArena;

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
    /// <remarks>
    /// Inference — evaluation mode, no gradient recording, no arena scope of the caller, no forward observer — keeps the
    /// intermediate results in a per-thread <see cref="TensorArena"/> whose storage the next call reuses, so repeated
    /// predictions allocate little more than their outputs; the returned tensor is kept (it lives as long as it is referenced).
    /// </remarks>
    public override Tensor Forward(Tensor input)
    {
        if (_layers.Count > 1 && !IsTraining && !GradMode.IsEnabled && TensorArena.Current is null && !IsForwardObserved)
        {
            var arena = t_inferenceArena ??= new TensorArena { MaxRetainedBytes = 128L << 20 };
            using (arena.Enter()) return Chain(input).Keep();
        }
        return Chain(input);
    }

    private Tensor Chain(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = ForwardChild(layer, x);
        return x;
    }

    /// <inheritdoc/>
    public override string Describe() => $"Sequential({_layers.Count} layers)";
}
