using System.Globalization;
using System.Text;
using System.Text.Json;
using Nabla.NN;

namespace Nabla.Models;

/// <summary>Writes a <see cref="ModelSpec"/> as JSON with one line per layer, nested branches indented.</summary>
internal static class ModelSpecWriter
{
    public static string Write(ModelSpec spec)
    {
        var sb = new StringBuilder("{\n");
        if (spec.Name is not null) sb.Append("  \"name\": ").Append(JsonSerializer.Serialize(spec.Name)).Append(",\n");
        if (spec.Input is not null) sb.Append("  \"input\": [").Append(string.Join(", ", spec.Input)).Append("],\n");
        sb.Append("  \"layers\": ");
        WriteLayers(sb, spec.Layers, "  ");
        return sb.Append("\n}\n").ToString();
    }

    private static void WriteLayers(StringBuilder sb, IReadOnlyList<LayerSpec> layers, string indent)
    {
        if (layers.Count == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append("[\n");
        for (int i = 0; i < layers.Count; i++)
        {
            sb.Append(indent).Append("  ");
            WriteLayer(sb, layers[i], indent + "  ");
            sb.Append(i < layers.Count - 1 ? ",\n" : "\n");
        }
        sb.Append(indent).Append(']');
    }

    private static void WriteLayer(StringBuilder sb, LayerSpec layer, string indent)
    {
        sb.Append("{\"type\": ").Append(JsonSerializer.Serialize(layer.Type));
        foreach (var (name, value) in layer.Fields)
        {
            sb.Append(", ").Append(JsonSerializer.Serialize(name)).Append(": ");
            if (value is IReadOnlyList<LayerSpec> children) WriteLayers(sb, children, indent);
            else sb.Append(Scalar(value));
        }
        sb.Append('}');
    }

    private static string Scalar(object value) => value switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => JsonSerializer.Serialize(d),
        bool b => b ? "true" : "false",
        string t => JsonSerializer.Serialize(t),
        Size2d s => s.IsSquare ? s.H.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"[{s.H}, {s.W}]"),
        _ => throw new InvalidOperationException($"model spec: cannot write a {value.GetType().Name}"),
    };
}
