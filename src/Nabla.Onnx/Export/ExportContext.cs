using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Onnx.Export;

/// <summary>
/// The state of one export: the graph builder, the initializer name of every parameter and buffer, every layer's path
/// and observed input shape, and the dispatch to each layer's emitter.
/// </summary>
internal sealed class ExportContext
{
    private readonly Dictionary<Module, string> _paths = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Parameter, string> _parameters = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, string> _buffers = new(ReferenceEqualityComparer.Instance);
    private readonly ShapeProbe _shapes;

    public ExportContext(OnnxGraphBuilder graph, Module model, ShapeProbe shapes)
    {
        Graph = graph;
        _shapes = shapes;
        foreach (var (name, m) in model.NamedModules()) _paths.TryAdd(m, name);
        foreach (var (name, p) in model.NamedParameters()) _parameters[p] = name;
        foreach (var (name, b) in model.NamedBuffers()) _buffers.TryAdd(b, name);
    }

    /// <summary>The graph under construction.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Emits <paramref name="layer"/> (a sub-module of the model) on <paramref name="input"/> and returns its output's name.</summary>
    public string Emit(Module layer, string input) => EmitterRegistry.Emit(this, layer, PathOf(layer), input);

    /// <summary>The layer's dotted path in the model ("" for the model itself).</summary>
    public string PathOf(Module layer) => _paths.TryGetValue(layer, out var p) ? p : layer.GetType().Name;

    /// <summary>The initializer holding <paramref name="parameter"/>.</summary>
    public string Param(Parameter parameter) => _parameters.TryGetValue(parameter, out var n)
        ? n
        : throw new OnnxException($"Onnx.Export: a parameter of shape {parameter.Data.Shape} is not listed by the model's NamedParameters(); " +
                                  "expected every parameter a layer uses to be reachable from the model's fields");

    /// <summary>The initializer holding the buffer <paramref name="buffer"/>.</summary>
    public string Buffer(Tensor buffer) => _buffers.TryGetValue(buffer, out var n)
        ? n
        : throw new OnnxException($"Onnx.Export: a buffer of shape {buffer.Shape} is not listed by the model's NamedBuffers()");

    /// <summary>The input dimensions the layer saw when the model ran (−1 for symbolic axes such as the batch).</summary>
    public int[] InputDims(Module layer, string path) => _shapes.InputOf(layer)
        ?? throw new OnnxException($"Onnx.Export: layer {Name(path, layer)} did not run when the model was called; " +
                                   "expected every exported layer to be called through Module.ForwardChild by its parent");

    /// <summary>A layer as errors name it: its path and description, e.g. <c>'features.0' (Conv2d(1 → 6, 5x5))</c>.</summary>
    public static string Name(string path, Module layer) =>
        $"'{(path.Length == 0 ? "(the model itself)" : path)}' ({layer.Describe()}, type {layer.GetType().FullName})";
}
