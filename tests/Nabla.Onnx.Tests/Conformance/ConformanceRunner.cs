using System.Text.RegularExpressions;
using Nabla.Onnx.Format;
using Nabla.Onnx.Import;
using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Tests.Conformance;

/// <summary>
/// Runs the ONNX backend test cases of libonnx-testdata (folders holding <c>model.onnx</c> and <c>test_data_set_*/input_*.pb</c>,
/// <c>output_*.pb</c>) through <see cref="Onnx.Load"/>: a model refused with <see cref="OnnxUnsupportedException"/> is
/// "not supported"; otherwise every data set's outputs must match (rtol 1e-3, atol 1e-7 as ONNX's backend runner,
/// NaN equals NaN, integers exactly).
/// </summary>
public static class ConformanceRunner
{
    /// <summary>The suites run, in order: folders of <c>/usr/share/libonnx-testdata/data</c> with the model/test_data_set layout.</summary>
    public static readonly string[] Suites = ["node", "pytorch-operator", "pytorch-converted", "simple"];

    public const double RelTolerance = 1e-3, AbsTolerance = 1e-7;

    /// <summary>Every case of every suite (cases in parallel; the result in folder order).</summary>
    public static IReadOnlyList<ConformanceCase> RunAll(string root)
    {
        var dirs = Suites.SelectMany(s => Directory.GetDirectories(Path.Combine(root, s)).Order(StringComparer.Ordinal).Select(d => (s, d))).ToArray();
        var results = new ConformanceCase[dirs.Length];
        Parallel.For(0, dirs.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / 2) },
            k => results[k] = Run(dirs[k].s, dirs[k].d));
        return results;
    }

    /// <summary>Runs one case folder.</summary>
    public static ConformanceCase Run(string suite, string dir)
    {
        string name = Path.GetFileName(dir);
        string modelPath = Path.Combine(dir, "model.onnx");
        string op = "?";
        try
        {
            var proto = OnnxFile.Read(modelPath);
            op = OperatorOf(name, proto.Graph);
        }
        catch (OnnxException e) { return new(suite, name, op, ConformanceStatus.Fail, "read: " + e.Message); }
        OnnxModule model;
        try { model = Onnx.Load(modelPath); }
        catch (OnnxUnsupportedException e) { return new(suite, name, op, ConformanceStatus.NotSupported, Short(e.Message, modelPath)); }
        catch (Exception e) { return new(suite, name, op, ConformanceStatus.Fail, $"load: {e.GetType().Name}: {Short(e.Message, modelPath)}"); }
        var sets = Directory.GetDirectories(dir, "test_data_set_*").Order(StringComparer.Ordinal).ToArray();
        if (sets.Length == 0) return new(suite, name, op, ConformanceStatus.Fail, "no test_data_set_* folder");
        foreach (var set in sets)
        {
            string? failure;
            try { failure = RunDataSet(model, set); }
            catch (Exception e) { failure = $"{Path.GetFileName(set)}: {e.GetType().Name}: {Short(e.Message, modelPath)}"; }
            if (failure is not null) return new(suite, name, op, ConformanceStatus.Fail, failure);
        }
        return new(suite, name, op, ConformanceStatus.Pass, "");
    }

    static string Short(string message, string modelPath) => message.Replace(modelPath, "model.onnx", StringComparison.Ordinal);

    static string? RunDataSet(OnnxModule model, string set)
    {
        string setName = Path.GetFileName(set);
        var inputs = Numbered(set, "input").Select(p => Values.FromProto(ReadTensor(p), set, p)).ToList();
        if (inputs.Count != model.Inputs.Count)
            return $"{setName}: {inputs.Count} input files for {model.Inputs.Count} graph inputs";
        var outputs = model.RunValues(inputs);
        var expected = Numbered(set, "output").Select(ReadTensor).ToList();
        if (expected.Count != outputs.Count) return $"{setName}: {expected.Count} output files for {outputs.Count} graph outputs";
        for (int k = 0; k < expected.Count; k++)
            if (Compare(expected[k], outputs[k].Value, set) is { } why) return $"{setName} output {k} '{outputs[k].Name}': {why}";
        return null;
    }

    static IEnumerable<string> Numbered(string set, string prefix) =>
        Directory.GetFiles(set, $"{prefix}_*.pb").OrderBy(p => int.Parse(Regex.Match(Path.GetFileName(p), @"_(\d+)\.pb$").Groups[1].Value));

    static TensorProto ReadTensor(string path) => TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>Why <paramref name="actual"/> differs from <paramref name="expected"/>, or null when it matches.</summary>
    static string? Compare(TensorProto expected, OnnxValue actual, string set)
    {
        var want = Values.FromProto(expected, set, "expected output");
        if (!want.Dims.SequenceEqual(actual.Dims)) return $"shape [{string.Join(", ", actual.Dims)}], expected [{string.Join(", ", want.Dims)}]";
        if (want.IsFloat != actual.IsFloat) return $"element type {ElementTypes.Name(actual.Type)}, expected {ElementTypes.Name(want.Type)}";
        if (!want.IsFloat)
        {
            for (int i = 0; i < want.Count; i++)
                if (want.I[i] != actual.I[i]) return $"element {i} is {actual.I[i]}, expected {want.I[i]}";
            return null;
        }
        double[] e = want.AsDoubles(), a = actual.AsDoubles();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (e[i] == a[i]) continue;
            if (!(Math.Abs(a[i] - e[i]) <= AbsTolerance + RelTolerance * Math.Abs(e[i])))
                return $"element {i} is {a[i]:R}, expected {e[i]:R}";
        }
        return null;
    }

    /// <summary>
    /// The operator a case is counted under: the graph's only op type, else the op type the folder's name starts with
    /// (test_batchnorm_... → BatchNormalization), else the first node's; "(model)" for multi-operator model suites.
    /// </summary>
    static string OperatorOf(string name, GraphProto graph)
    {
        var types = graph.Node.Select(n => n.OpType).Distinct().ToList();
        if (types.Count == 1) return types[0];
        if (types.Count == 0) return "(empty)";
        string key = name.StartsWith("test_", StringComparison.Ordinal) ? name[5..] : name;
        key = key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var match = types.Where(t => key.StartsWith(t.ToLowerInvariant(), StringComparison.Ordinal)).OrderByDescending(t => t.Length).FirstOrDefault();
        return match ?? graph.Node[^1].OpType;
    }
}
