using System.Globalization;
using Google.Protobuf;
using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Import;

/// <summary>
/// What an operator's builder sees of one node at load time: its attributes (every one read is marked, so an attribute the
/// builder never reads is refused afterwards), the element types of its inputs, the inputs known at load time, the opset,
/// and errors that name the file, the node, the operator and the opset.
/// </summary>
internal sealed class NodeContext
{
    readonly Dictionary<string, AttributeProto> _attributes = new(StringComparer.Ordinal);
    readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public NodeContext(NodeProto node, int index, int opset, string file, string? modelDirectory,
        DataType[] inputTypes, OnnxValue?[] constants)
    {
        Node = node;
        Index = index;
        Opset = opset;
        ModelDirectory = modelDirectory;
        InputTypes = inputTypes;
        Constants = constants;
        Where = $"{file}: node {index}{(node.Name.Length > 0 ? $" '{node.Name}'" : "")} ({node.OpType}, opset {opset})";
        foreach (var a in node.Attribute)
            if (!_attributes.TryAdd(a.Name, a)) throw Invalid($"attribute '{a.Name}' appears twice");
    }

    public NodeProto Node { get; }
    public int Index { get; }
    public int Opset { get; }
    public string? ModelDirectory { get; }

    /// <summary>"file: node 3 'conv1' (Conv, opset 13)", the start of every message about this node.</summary>
    public string Where { get; }

    /// <summary>Element types of the inputs; <see cref="DataType.Undefined"/> for an omitted optional input.</summary>
    public DataType[] InputTypes { get; }

    /// <summary>Inputs whose values are known at load time (constants and constant-folded results), else null.</summary>
    public OnnxValue?[] Constants { get; }

    /// <summary>Whether input <paramref name="i"/> is given (optional inputs may be omitted or named "").</summary>
    public bool HasInput(int i) => i < Node.Input.Count && Node.Input[i].Length > 0;

    /// <summary>Whether output <paramref name="i"/> is wanted.</summary>
    public bool HasOutput(int i) => i < Node.Output.Count && Node.Output[i].Length > 0;

    /// <summary>A "valid ONNX that Nabla does not support" error.</summary>
    public OnnxUnsupportedException Unsupported(string what) => new($"{Where}: {what} is not supported.");

    /// <summary>An "invalid model" error.</summary>
    public OnnxException Invalid(string what) => new($"{Where}: {what}.");

    public bool Has(string name) => _attributes.ContainsKey(name);

    AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        _read.Add(name);
        if (!_attributes.TryGetValue(name, out var a)) return null;
        if (a.Type != AttributeProto.Types.AttributeType.Undefined && a.Type != type)
            throw Invalid($"attribute '{name}' is {a.Type}; expected {type}");
        return a;
    }

    public long Int(string name, long fallback) => Get(name, AttributeProto.Types.AttributeType.Int)?.I ?? fallback;

    public float Float(string name, float fallback) => Get(name, AttributeProto.Types.AttributeType.Float)?.F ?? fallback;

    public string String(string name, string fallback) =>
        Get(name, AttributeProto.Types.AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    public string[]? Strings(string name) =>
        Get(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public TensorProto? TensorAttr(string name) => Get(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>Marks an attribute as handled without reading it (e.g. one that only matters for shape inference).</summary>
    public void Ignore(string name) => _read.Add(name);

    /// <summary>Refuses the first attribute no builder code read.</summary>
    public void CheckAllAttributesRead()
    {
        foreach (var a in Node.Attribute)
            if (!_read.Contains(a.Name)) throw Unsupported($"attribute '{a.Name}'");
    }

    /// <summary>Refuses any input element type outside <paramref name="allowed"/> (omitted inputs are skipped).</summary>
    public void RequireTypes(int input, params DataType[] allowed)
    {
        if (!HasInput(input) || input >= InputTypes.Length) return;
        var t = InputTypes[input];
        if (Array.IndexOf(allowed, t) < 0)
            throw Unsupported($"element type {ElementTypes.Name(t)} of input {input} ('{Node.Input[input]}'; supported: " +
                              $"{string.Join(", ", allowed.Select(ElementTypes.Name))})");
    }

    /// <summary>Refuses a float input that is not FLOAT/DOUBLE, for every given input.</summary>
    public DataType RequireFloat(params int[] inputs)
    {
        foreach (int i in inputs) RequireTypes(i, DataType.Float, DataType.Double);
        return InputTypes.Length > 0 ? InputTypes[0] : DataType.Float;
    }

    /// <summary>Refuses every input whose type the importer cannot compute with.</summary>
    public DataType RequireNumeric(params int[] inputs)
    {
        foreach (int i in inputs) RequireTypes(i, [DataType.Float, DataType.Double, DataType.Bool, .. ElementTypes.Integers]);
        return InputTypes.Length > 0 ? InputTypes[0] : DataType.Float;
    }

    /// <summary>The load-time value of input <paramref name="i"/>, or a refusal saying it must be constant.</summary>
    public OnnxValue RequireConstant(int i, string what) =>
        Constants.Length > i && Constants[i] is { } v
            ? v
            : throw Unsupported($"a {what} (input {i}) that is computed at run time; it must be an initializer or a constant");

    /// <summary>Decodes a tensor attribute (value of Constant, ConstantOfShape).</summary>
    public OnnxValue Decode(TensorProto proto) => Values.FromProto(proto, ModelDirectory, Where, this);

    public string Format(double v) => v.ToString(CultureInfo.InvariantCulture);
}
