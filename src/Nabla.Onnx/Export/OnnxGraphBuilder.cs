using System.Globalization;
using Google.Protobuf;
using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Export;

/// <summary>
/// Builds the nodes of an ONNX graph: unique value and node names derived from the layer's path, constants as
/// <c>Constant</c> nodes (so the initializers stay exactly the model's parameters and buffers), and attribute helpers.
/// </summary>
internal sealed class OnnxGraphBuilder(GraphProto graph, int opset)
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; } = graph;

    /// <summary>The opset the graph is written for (13..17).</summary>
    public int Opset { get; } = opset;

    /// <summary>Reserves a name (a graph input or an initializer) so no node output takes it.</summary>
    public void Reserve(string name) => _names.Add(name);

    /// <summary>A value name not used yet, built from the layer path and a hint, e.g. <c>features.0/Conv</c>.</summary>
    public string Fresh(string path, string hint)
    {
        string stem = path.Length == 0 ? hint : $"{path}/{hint}";
        string name = stem;
        for (int i = 1; !_names.Add(name); i++) name = string.Create(CultureInfo.InvariantCulture, $"{stem}_{i}");
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string path, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(op, path, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string op, string path, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op };
        node.Input.Add(inputs);
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++) names[i] = Fresh(path, outputs == 1 ? op : string.Create(CultureInfo.InvariantCulture, $"{op}_out{i}"));
        node.Output.Add(names);
        node.Name = names[0];
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>A constant INT64 tensor (1-D unless <paramref name="scalar"/>), as a <c>Constant</c> node.</summary>
    public string Int64s(string path, long[] values, bool scalar = false)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        if (!scalar) t.Dims.Add(values.Length);
        t.Int64Data.Add(values);
        return Node("Constant", path, [], AttrTensor("value", t));
    }

    /// <summary>A constant FLOAT scalar, as a <c>Constant</c> node.</summary>
    public string Float(string path, double value)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add((float)value);
        return Node("Constant", path, [], AttrTensor("value", t));
    }

    /// <summary>A constant 1-D FLOAT tensor, as a <c>Constant</c> node.</summary>
    public string Floats(string path, float[] values)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(values.Length);
        t.FloatData.Add(values);
        return Node("Constant", path, [], AttrTensor("value", t));
    }

    /// <summary>Reshape of <paramref name="x"/> to a constant shape (0 copies the input's dimension, −1 is inferred).</summary>
    public string Reshape(string path, string x, params long[] shape) => Node("Reshape", path, [x, Int64s(path, shape)]);

    /// <summary>Transpose of <paramref name="x"/> by <paramref name="perm"/>.</summary>
    public string Transpose(string path, string x, params long[] perm) => Node("Transpose", path, [x], AttrInts("perm", perm));

    /// <summary>An INT attribute.</summary>
    public static AttributeProto AttrInt(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A FLOAT attribute.</summary>
    public static AttributeProto AttrFloat(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto AttrInts(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    /// <summary>A STRING attribute.</summary>
    public static AttributeProto AttrString(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A STRINGS attribute.</summary>
    public static AttributeProto AttrStrings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var v in values) a.Strings.Add(ByteString.CopyFromUtf8(v));
        return a;
    }

    /// <summary>A TENSOR attribute.</summary>
    public static AttributeProto AttrTensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
