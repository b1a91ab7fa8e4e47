namespace Nabla.Onnx;

/// <summary>
/// A graph input or output of an imported ONNX model as the file declares it: its name, element type and shape, where a
/// symbolic or unknown dimension is -1 and its symbol (e.g. <c>batch</c>) is in <see cref="DimNames"/>.
/// </summary>
public sealed class OnnxTensorInfo
{
    internal OnnxTensorInfo(string name, string elementType, int[]? shape, string?[]? dimNames)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        DimNames = dimNames;
    }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The ONNX element type, e.g. <c>FLOAT</c> or <c>INT64</c>.</summary>
    public string ElementType { get; }

    /// <summary>The declared dimensions, -1 where a dimension is symbolic or unknown; null when the file declares no shape.</summary>
    public IReadOnlyList<int>? Shape { get; }

    /// <summary>The symbols of symbolic dimensions (null for fixed or unknown ones); null when the file declares no shape.</summary>
    public IReadOnlyList<string?>? DimNames { get; }

    /// <summary>E.g. <c>input: FLOAT [batch, 3, 224, 224]</c>.</summary>
    public override string ToString() => Shape is null
        ? $"{Name}: {ElementType}"
        : $"{Name}: {ElementType} [{string.Join(", ", Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : DimNames![i] ?? "?"))}]";
}
