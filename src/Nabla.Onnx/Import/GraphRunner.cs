using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>Runs a <see cref="LoadedGraph"/>: checks the inputs, then evaluates the nodes in order.</summary>
internal static class GraphRunner
{
    /// <summary>Checks a caller's tensor against graph input <paramref name="i"/>'s declared type and fixed dimensions.</summary>
    public static OnnxValue CheckInput(LoadedGraph graph, int i, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var info = graph.Inputs[i];
        if (info.Shape is { } shape)
        {
            int[] dims = t.Shape.ToArray();
            bool ok = dims.Length == shape.Count;
            for (int d = 0; ok && d < dims.Length; d++) ok = shape[d] < 0 || shape[d] == dims[d];
            if (!ok) throw new OnnxException($"{graph.File}: graph input {info} got a tensor of shape {t.Shape}.");
        }
        var type = graph.InputTypes[i];
        if (ElementTypes.IsFloat(type)) return OnnxValue.Of(t);
        double[] d2 = t.ToDoubleArray();
        var longs = new long[d2.Length];
        for (int k = 0; k < longs.Length; k++)
        {
            if (d2[k] != Math.Floor(d2[k]))
                throw new OnnxException($"{graph.File}: graph input {info} takes integers; element {k} is {d2[k]}.");
            longs[k] = ElementTypes.Narrow((long)d2[k], type);
        }
        return OnnxValue.OfInts(longs, t.Shape.ToArray(), type);
    }

    /// <summary>Evaluates every node; returns the graph outputs in order.</summary>
    public static IReadOnlyList<(string Name, OnnxValue Value)> Run(LoadedGraph graph, Dictionary<string, OnnxValue> values, bool training)
    {
        foreach (var (name, v) in graph.Constants) values.TryAdd(name, v);
        foreach (var (name, p) in graph.Parameters) values[name] = OnnxValue.Of(p.Data);
        foreach (var (name, b) in graph.Buffers) values[name] = OnnxValue.Of(b);
        foreach (var (_, node) in graph.Nodes)
        {
            var inputs = new OnnxValue?[node.Inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
                if (node.Inputs[k].Length > 0) inputs[k] = values[node.Inputs[k]];
            var outputs = node.Execute(inputs, training);
            for (int k = 0; k < node.Outputs.Length && k < outputs.Length; k++)
                if (node.Outputs[k].Length > 0 && outputs[k] is { } o) values[node.Outputs[k]] = o;
        }
        return graph.Outputs.Select(o => (o.Name, values.TryGetValue(o.Name, out var v)
            ? v
            : throw new OnnxException($"{graph.File}: graph output '{o.Name}' was not produced."))).ToArray();
    }

    /// <summary>Converts the float constants and buffers to <paramref name="dtype"/> (parameters are converted by Module.To).</summary>
    public static void Convert(LoadedGraph graph, DType dtype)
    {
        foreach (var name in graph.Constants.Keys.ToArray())
            if (graph.Constants[name].Tensor is { } t && t.DType != dtype)
                graph.Constants[name] = OnnxValue.Of(t.ToDType(dtype));
        for (int i = 0; i < graph.Buffers.Length; i++)
            if (graph.Buffers[i].Buffer.DType != dtype)
                graph.Buffers[i] = (graph.Buffers[i].Name, graph.Buffers[i].Buffer.ToDType(dtype));
    }
}
