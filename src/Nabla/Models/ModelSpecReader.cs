using System.Text.Json;
using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// Strict parsing of architecture JSON: every object key must be known, every required field present and every value
/// of the right kind and range. Errors name the source, the layer path and the field.
/// </summary>
internal sealed class ModelSpecReader(string source)
{
    private static readonly string[] TopLevelFields = ["name", "input", "layers"];

    public ModelSpec Read(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"{source}: invalid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail($"the top level must be an object {{\"input\": [...], \"layers\": [...]}}, got {Kind(root)}");
            var props = Properties(root, "the top level");
            foreach (var key in props.Keys)
                if (!TopLevelFields.Contains(key))
                    throw Fail($"unknown top-level field '{key}'; allowed: {string.Join(", ", TopLevelFields)}");
            string? name = null;
            if (props.TryGetValue("name", out var n))
                name = n.ValueKind == JsonValueKind.String ? n.GetString() : throw Fail($"field 'name' must be a string, got {n.GetRawText()}");
            int[]? input = props.TryGetValue("input", out var i) ? ReadInput(i) : null;
            if (!props.TryGetValue("layers", out var layers)) throw Fail("missing required field 'layers'");
            return new ModelSpec(ReadLayers(layers, "", "'layers'"), input, name, source);
        }
    }

    private int[] ReadInput(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0
            && e.EnumerateArray().All(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int v) && v > 0))
            return e.EnumerateArray().Select(d => d.GetInt32()).ToArray();
        throw Fail($"field 'input' must be the shape of one sample as a list of positive integers (e.g. [1, 28, 28]), got {e.GetRawText()}");
    }

    private List<LayerSpec> ReadLayers(JsonElement e, string prefix, string what)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw Fail($"{(prefix.Length == 0 ? "" : $"layer {prefix.TrimEnd('.')}: ")}{what} must be a list of layer objects, got {Kind(e)}");
        var list = new List<LayerSpec>();
        int index = 0;
        foreach (var item in e.EnumerateArray()) list.Add(ReadLayer(item, prefix + index++));
        return list;
    }

    private LayerSpec ReadLayer(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Fail($"layer {path}: must be an object like {{\"type\": \"relu\"}}, got {e.GetRawText()}");
        var props = Properties(e, $"layer {path}");
        if (!props.TryGetValue("type", out var typeElement))
            throw Fail($"layer {path}: missing required field 'type'");
        if (typeElement.ValueKind != JsonValueKind.String)
            throw Fail($"layer {path}: field 'type' must be a string, got {typeElement.GetRawText()}");
        string typeName = typeElement.GetString()!;
        var type = LayerCatalog.Find(typeName)
            ?? throw Fail($"layer {path}: unknown layer type '{typeName}'; known types: {string.Join(", ", LayerCatalog.Types.Select(t => t.Name))}");
        string where = $"layer {path} ({typeName})";
        foreach (var key in props.Keys)
            if (key != "type" && type.Field(key) is null)
                throw Fail($"{where}: unknown field '{key}'; {typeName} accepts {Accepted(type)}");
        var fields = new Dictionary<string, object>();
        foreach (var def in type.Fields)
        {
            bool given = props.TryGetValue(def.Name, out var value);
            if (def.Alias is { } alias && props.TryGetValue(alias, out var old))
            {
                if (given) throw Fail($"{where}: fields '{def.Name}' and '{alias}' both given; '{alias}' is the old name of '{def.Name}', give one");
                fields[def.Name] = ReadValue(def, old, where, path, alias);
            }
            else if (given) fields[def.Name] = ReadValue(def, value, where, path);
            else if (def.Required) throw Fail($"{where}: missing required field '{def.Name}' ({def.Expectation})");
        }
        return new LayerSpec(typeName, fields);
    }

    /// <summary>The value of field <paramref name="def"/>, given in the file as <paramref name="key"/> (its name by default, or its old name).</summary>
    private object ReadValue(FieldDef def, JsonElement e, string where, string path, string? key = null)
    {
        object? value = def.Kind switch
        {
            FieldKind.Int => Int(e),
            FieldKind.PositiveInt => Int(e) is int i && i >= 1 ? i : null,
            FieldKind.PositiveSize => Size(e, 1),
            FieldKind.NonNegativeSize => Size(e, 0),
            FieldKind.Number => Number(e),
            FieldKind.PositiveNumber => Number(e) is double d && d > 0 ? d : null,
            FieldKind.Probability => Number(e) is double p && p is >= 0 and <= 1 ? p : null,
            FieldKind.Bool => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null,
            FieldKind.Layers => e.ValueKind == JsonValueKind.Array ? ReadLayers(e, $"{path}.{def.Name}.", $"field '{def.Name}'") : null,
            FieldKind.Choice => e.ValueKind == JsonValueKind.String && def.Choices is { } choices && choices.Contains(e.GetString()) ? e.GetString() : null,
            _ => null,
        };
        return value ?? throw Fail($"{where}: field '{key ?? def.Name}' must be {def.Expectation}, got {e.GetRawText()}");
    }

    private static int? Int(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : null;

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v) ? v : null;

    private static Size2d? Size(JsonElement e, int min)
    {
        if (Int(e) is int n) return n >= min ? n : null;
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2) return null;
        if (Int(e[0]) is int h && Int(e[1]) is int w && h >= min && w >= min) return new Size2d(h, w);
        return null;
    }

    /// <summary>The object's properties by name; a repeated key is an error rather than silently the last one.</summary>
    private Dictionary<string, JsonElement> Properties(JsonElement obj, string where)
    {
        var props = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (!props.TryAdd(p.Name, p.Value))
                throw Fail($"{where}: field '{p.Name}' appears twice");
        return props;
    }

    private static string Accepted(LayerType type)
        => type.Fields.Length == 0 ? "no fields besides 'type'" : string.Join(", ", type.Fields.Select(f => f.Required ? f.Name : f.Name + "?"));

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"the string {e.GetRawText()}",
        _ => e.GetRawText(),
    };

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }

    private ConfigurationException Fail(string message) => new($"{source}: {message}");
}
