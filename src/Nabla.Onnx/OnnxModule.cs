using Nabla.Autograd;
using Nabla.NN;
using Nabla.Onnx.Import;
using Nabla.Tensors;

namespace Nabla.Onnx;

/// <summary>
/// An ONNX graph loaded by <c>Onnx.Load</c> as a Nabla module that evaluates and trains. Each node is a child module named
/// after the node (its description is the operator and key attributes), so <c>Summary</c> prints a per-node table. Float
/// initializers that feed weights (Gemm, Conv, MatMul, Add/Mul operands, normalization scale and bias, recurrent weights)
/// are <see cref="Parameter"/>s named by their initializer names; batch norm means and variances are buffers; other
/// initializers, constants and shape computations known at load time are constants.
/// </summary>
/// <remarks>
/// A loaded module starts in evaluation mode (it is usually loaded for inference); call <see cref="Module.Train"/> to
/// fine-tune it, which makes Dropout drop and BatchNormalization use batch statistics. Integer graph inputs are given
/// as float tensors holding integers; integer outputs come back as Float64 tensors.
/// </remarks>
public sealed class OnnxModule : Module
{
    readonly LoadedGraph _graph;

    internal OnnxModule(LoadedGraph graph)
    {
        _graph = graph;
        Eval();
    }

    /// <summary>The ai.onnx opset the model imports.</summary>
    public int Opset => _graph.Opset;

    /// <summary>The IR version of the file.</summary>
    public long IrVersion => _graph.IrVersion;

    /// <summary>The producer named in the file, with its version (e.g. <c>pytorch 2.1.0</c>); empty when none is named.</summary>
    public string Producer => _graph.Producer;

    /// <summary>The graph inputs the caller supplies (initializers excluded), in order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs => _graph.Inputs;

    /// <summary>The graph outputs, in order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs => _graph.Outputs;

    /// <summary>The names of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<string> InputNames => _graph.Inputs.Select(i => i.Name).ToArray();

    /// <summary>The names of <see cref="Outputs"/>.</summary>
    public IReadOnlyList<string> OutputNames => _graph.Outputs.Select(o => o.Name).ToArray();

    /// <summary>Runs a graph with one input and returns its first output.</summary>
    public override Tensor Forward(Tensor input)
    {
        if (_graph.Inputs.Count != 1)
            throw new OnnxException($"{_graph.File}: Forward takes the graph's single input, but the graph has {_graph.Inputs.Count} " +
                                    $"({string.Join(", ", InputNames)}); use Run.");
        return Run(input)[0];
    }

    /// <summary>Runs the graph on its inputs in declaration order; returns the outputs in declaration order.</summary>
    public Tensor[] Run(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != _graph.Inputs.Count)
            throw new OnnxException($"{_graph.File}: the graph has {_graph.Inputs.Count} inputs ({string.Join(", ", InputNames)}); got {inputs.Length}.");
        var byName = new Dictionary<string, Tensor>();
        for (int i = 0; i < inputs.Length; i++) byName[_graph.Inputs[i].Name] = inputs[i];
        var result = Run(byName);
        return OutputNames.Select(n => result[n]).ToArray();
    }

    /// <summary>Runs the graph on named inputs (every graph input must be given); returns every output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        for (int i = 0; i < _graph.Inputs.Count; i++)
        {
            var info = _graph.Inputs[i];
            if (!inputs.TryGetValue(info.Name, out var t))
                throw new OnnxException($"{_graph.File}: graph input '{info.Name}' was not given (inputs: {string.Join(", ", InputNames)}).");
            values[info.Name] = GraphRunner.CheckInput(_graph, i, t);
        }
        foreach (var name in inputs.Keys)
            if (!values.ContainsKey(name))
                throw new OnnxException($"{_graph.File}: '{name}' is not a graph input (inputs: {string.Join(", ", InputNames)}).");
        // Inference calls keep their intermediate results in a per-thread arena reused from call to call, as Sequential
        // does: only the outputs are kept.
        TensorArena? arena = null;
        if (!IsTraining && !GradMode.IsEnabled && TensorArena.Current is null && !IsForwardObserved)
            arena = t_inferenceArena ??= new TensorArena { MaxRetainedBytes = 128L << 20 };
        using var scope = arena?.Enter();
        var outputs = GraphRunner.Run(_graph, values, IsTraining);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, v) in outputs) result[name] = (v.Tensor ?? Values.Array(Array.ConvertAll(v.I, x => (double)x), v.Dims)).Keep();
        return result;
    }

    // Storage of the intermediate results of inference calls on this thread, reused from call to call.
    [ThreadStatic] private static TensorArena? t_inferenceArena;

    /// <summary>Runs the graph on ONNX values (integer tensors as longs), for the conformance tests.</summary>
    internal IReadOnlyList<(string Name, OnnxValue Value)> RunValues(IReadOnlyList<OnnxValue> inputs)
    {
        var values = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        for (int i = 0; i < _graph.Inputs.Count; i++) values[_graph.Inputs[i].Name] = inputs[i];
        return GraphRunner.Run(_graph, values, IsTraining);
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => _graph.Nodes.Select(n => (n.Name, (Module)n.Node));

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => _graph.Parameters;

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() => _graph.Buffers;

    /// <inheritdoc/>
    protected override void OnConvert(DType dtype)
    {
        GraphRunner.Convert(_graph, dtype);
    }

    /// <inheritdoc/>
    public override string Describe() => $"OnnxModule(opset {Opset}, {_graph.Nodes.Count} nodes)";
}
