using Nabla.Autograd;
using Nabla.NN;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>
/// Turns a <c>ModelProto</c> into a <see cref="LoadedGraph"/>: checks the opsets, decodes the initializers, orders the nodes
/// topologically (naming a missing value or a cycle), infers element types, builds every node through the
/// <see cref="OperatorRegistry"/> (refusing what is unsupported) and folds the nodes whose inputs are all known.
/// Nothing is shared with other loads, so a failure leaves nothing behind.
/// </summary>
internal static class GraphLoader
{
    public const int MinOpset = 7;
    public const int MaxOpset = 17;

    public static LoadedGraph Load(ModelProto model, string file, string? modelDirectory)
    {
        int opset = Opset(model, file);
        var graph = model.Graph;
        if (graph.SparseInitializer.Count > 0)
            throw new OnnxUnsupportedException($"{file}: sparse initializers ('{graph.SparseInitializer[0].Values?.Name}') are not supported.");

        var initializers = new Dictionary<string, (TensorProto Proto, OnnxValue Value)>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer)
        {
            string where = $"{file}: initializer '{init.Name}'";
            if (init.Name.Length == 0) throw new OnnxException($"{file}: an initializer has no name.");
            if (!initializers.TryAdd(init.Name, (init, Values.FromProto(init, modelDirectory, where))))
                throw new OnnxException($"{file}: initializer '{init.Name}' appears twice.");
        }

        var types = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var (name, (_, v)) in initializers) types[name] = v.Type;
        var inputs = new List<OnnxTensorInfo>();
        var inputTypes = new List<DataType>();
        foreach (var vi in graph.Input)
        {
            if (initializers.ContainsKey(vi.Name)) continue; // IR < 4 lists initializers as inputs too
            var (info, type) = Describe(vi, file, "graph input");
            if (!ElementTypes.IsSupported(type))
                throw new OnnxUnsupportedException($"{file}: graph input {info} has element type {ElementTypes.Name(type)}; " +
                                                   "supported: FLOAT, DOUBLE, BOOL and integer types but UINT64.");
            inputs.Add(info);
            inputTypes.Add(type);
            types[vi.Name] = type;
        }

        var order = TopologicalOrder(graph, file, types.Keys);
        var (parameters, buffers) = Learnables(graph, order, initializers);
        var constants = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var (name, (_, v)) in initializers)
            if (!parameters.ContainsKey(name) && !buffers.ContainsKey(name)) constants[name] = v;

        // Node modules are created only once everything has been checked: a node with randomness takes a generator from
        // Generator.Default, which a failed load must leave untouched.
        var built = new List<(string Name, NodeContext Context, OpPlan Plan, (string, Parameter)[] Parameters)>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (int index in order)
        {
            var node = graph.Node[index];
            var inputTypesOfNode = node.Input.Select(n => n.Length == 0 ? DataType.Undefined : types[n]).ToArray();
            var known = node.Input.Select(n => n.Length > 0 && constants.TryGetValue(n, out var c) ? c : null).ToArray();
            var context = new NodeContext(node, index, opset, file, modelDirectory, inputTypesOfNode, known);
            if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
                throw context.Unsupported($"operator domain '{node.Domain}' (supported: the default ai.onnx domain)");
            if (!OperatorRegistry.Operators.TryGetValue(node.OpType, out var entry))
                throw context.Unsupported($"operator {node.OpType}");
            var plan = entry.Build(context);
            context.CheckAllAttributesRead();
            if (plan.OutputTypes.Length < node.Output.Count)
                throw context.Invalid($"the node has {node.Output.Count} outputs; the operator has at most {plan.OutputTypes.Length}");
            for (int k = 0; k < node.Output.Count; k++)
                if (node.Output[k].Length > 0) types[node.Output[k]] = plan.OutputTypes[k];

            bool allKnown = plan.Foldable && Enumerable.Range(0, node.Input.Count).All(k => node.Input[k].Length == 0 || known[k] is not null);
            if (allKnown)
            {
                OnnxValue?[] folded;
                try
                {
                    using (GradMode.NoGrad()) folded = plan.Run(known, new NodeRun(false, Generator.Default));
                }
                catch (Nabla.Errors.NablaException e) when (e is not OnnxException)
                {
                    throw new OnnxException($"{context.Where}: evaluating the node at load time failed: {e.Message}", e);
                }
                for (int k = 0; k < node.Output.Count; k++)
                    if (node.Output[k].Length > 0 && folded[k] is { } f) constants[node.Output[k]] = f;
                continue;
            }
            var nodeParameters = node.Input.Where(parameters.ContainsKey).Distinct().Select(n => (n, parameters[n])).ToArray();
            string name = node.Name.Length > 0 && usedNames.Add(node.Name) ? node.Name : Unique($"{node.OpType}_{index}", usedNames);
            built.Add((name, context, plan, nodeParameters));
        }

        var outputs = new List<OnnxTensorInfo>();
        var outputTypes = new List<DataType>();
        foreach (var vo in graph.Output)
        {
            if (!types.TryGetValue(vo.Name, out var t))
                throw new OnnxException($"{file}: graph output '{vo.Name}' is produced by no node, graph input or initializer.");
            outputs.Add(Describe(vo, file, "graph output").Info);
            outputTypes.Add(t);
        }

        return new LoadedGraph
        {
            File = file,
            Opset = opset,
            IrVersion = model.IrVersion,
            Producer = (model.ProducerName + " " + model.ProducerVersion).Trim(),
            Inputs = inputs,
            InputTypes = inputTypes,
            Outputs = outputs,
            OutputTypes = outputTypes,
            Nodes = built.Select(b => (b.Name, new OnnxNodeModule(b.Context, b.Plan, b.Parameters))).ToArray(),
            Parameters = parameters.Select(p => (p.Key, p.Value)).ToArray(),
            Buffers = buffers.Select(b => (b.Key, b.Value)).ToArray(),
            Constants = constants,
        };
    }

    static string Unique(string name, HashSet<string> used)
    {
        string n = name;
        for (int i = 1; !used.Add(n); i++) n = $"{name}_{i}";
        return n;
    }

    /// <summary>The ai.onnx opset; other domains and opsets outside 7..17 are refused.</summary>
    static int Opset(ModelProto model, string file)
    {
        int? opset = null;
        foreach (var o in model.OpsetImport)
        {
            if (o.Domain.Length > 0 && o.Domain != "ai.onnx")
                throw new OnnxUnsupportedException($"{file}: the model imports the operator domain '{o.Domain}' (version {o.Version}); " +
                                                   "Nabla imports only the default ai.onnx domain.");
            if (o.Version < MinOpset || o.Version > MaxOpset)
                throw new OnnxUnsupportedException($"{file}: the model imports ai.onnx opset {o.Version}; Nabla imports opsets {MinOpset} to {MaxOpset}.");
            opset = (int)o.Version;
        }
        return opset ?? throw new OnnxException($"{file}: the model imports no ai.onnx opset (opset_import is empty).");
    }

    static (OnnxTensorInfo Info, DataType Type) Describe(ValueInfoProto vi, string file, string what)
    {
        if (vi.Type is null || vi.Type.ValueCase != TypeProto.ValueOneofCase.TensorType)
            throw new OnnxUnsupportedException($"{file}: {what} '{vi.Name}' is not a tensor ({vi.Type?.ValueCase.ToString() ?? "no type"}).");
        var tt = vi.Type.TensorType;
        var type = (DataType)tt.ElemType;
        int[]? shape = null;
        string?[]? names = null;
        if (tt.Shape is not null)
        {
            shape = tt.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0 && d.DimValue <= int.MaxValue ? (int)d.DimValue : -1).ToArray();
            names = tt.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null).ToArray();
        }
        return (new OnnxTensorInfo(vi.Name, ElementTypes.Name(type), shape, names), type);
    }

    /// <summary>
    /// Kahn's order of the nodes. A node input that no node, graph input or initializer produces, and a cycle, are
    /// errors naming the node and the value.
    /// </summary>
    static List<int> TopologicalOrder(GraphProto graph, string file, IEnumerable<string> available)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var have = new HashSet<string>(available, StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var o in graph.Node[i].Output)
            {
                if (o.Length == 0) continue;
                if (have.Contains(o) || !producer.TryAdd(o, i))
                    throw new OnnxException($"{file}: {NodeName(graph, i)} writes '{o}', which {(have.Contains(o) ? "is a graph input or initializer" : $"{NodeName(graph, producer[o])} also writes")}.");
            }
        var waiting = new int[graph.Node.Count];
        var consumers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var input in graph.Node[i].Input.Where(n => n.Length > 0).Distinct())
            {
                if (have.Contains(input)) continue;
                if (!producer.ContainsKey(input))
                    throw new OnnxException($"{file}: {NodeName(graph, i)} reads '{input}', which no node, graph input or initializer produces.");
                waiting[i]++;
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(i);
            }
        var ready = new Queue<int>(Enumerable.Range(0, graph.Node.Count).Where(i => waiting[i] == 0));
        var order = new List<int>();
        while (ready.Count > 0)
        {
            int i = ready.Dequeue();
            order.Add(i);
            foreach (var o in graph.Node[i].Output)
                if (consumers.TryGetValue(o, out var list))
                    foreach (int c in list)
                        if (--waiting[c] == 0) ready.Enqueue(c);
        }
        if (order.Count < graph.Node.Count)
        {
            var stuck = Enumerable.Range(0, graph.Node.Count).Where(i => waiting[i] > 0).Select(i => NodeName(graph, i));
            throw new OnnxException($"{file}: the graph has a cycle; these nodes wait on each other: {string.Join(", ", stuck)}.");
        }
        return order;
    }

    static string NodeName(GraphProto graph, int i) =>
        $"node {i}{(graph.Node[i].Name.Length > 0 ? $" '{graph.Node[i].Name}'" : "")} ({graph.Node[i].OpType})";

    /// <summary>
    /// Operators that only move, reshape or select elements: a float initializer that reaches a learnable input through
    /// them (as exporters write a weight: Wᵀ for MatMul, recurrent gate blocks gathered into ONNX's order) is learnable too.
    /// The value is the set of such data inputs (-1: every input).
    /// </summary>
    static readonly Dictionary<string, int> PassThrough = new(StringComparer.Ordinal)
    {
        ["Transpose"] = 0, ["Reshape"] = 0, ["Flatten"] = 0, ["Squeeze"] = 0, ["Unsqueeze"] = 0, ["Slice"] = 0,
        ["Identity"] = 0, ["Gather"] = 0, ["Cast"] = 0, ["Concat"] = -1,
    };

    /// <summary>
    /// Float initializers read at a learnable input (directly or through <see cref="PassThrough"/> operators) become
    /// parameters; at a running-statistics input, buffers.
    /// </summary>
    static (Dictionary<string, Parameter>, Dictionary<string, Tensor>) Learnables(
        GraphProto graph, List<int> order, Dictionary<string, (TensorProto Proto, OnnxValue Value)> initializers)
    {
        var learnable = new HashSet<string>(StringComparer.Ordinal);
        var statistics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (!OperatorRegistry.Operators.TryGetValue(node.OpType, out var entry)) continue;
            for (int k = 0; k < node.Input.Count; k++)
            {
                if (entry.Weights.Contains(k)) learnable.Add(node.Input[k]);
                else if (entry.Buffers.Contains(k)) statistics.Add(node.Input[k]);
            }
        }
        // Consumers come after producers in the order, so one backward sweep carries learnability to the sources.
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[order[i]];
            if (!PassThrough.TryGetValue(node.OpType, out int data) || !node.Output.Any(learnable.Contains)) continue;
            for (int k = 0; k < node.Input.Count; k++)
                if (data < 0 || k == data) learnable.Add(node.Input[k]);
        }
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        var buffers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, (_, value)) in initializers)
        {
            if (value.Tensor is not { } t) continue;
            if (learnable.Contains(name)) parameters[name] = new Parameter(t, isBias: t.Rank <= 1);
            else if (statistics.Contains(name)) buffers[name] = t;
        }
        return (parameters, buffers);
    }
}
