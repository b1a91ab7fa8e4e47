using System.Text;
using Nabla.Onnx.Import;

namespace Nabla.Onnx.Tests.Conformance;

/// <summary>
/// The <c>## Import</c> section of <c>docs/onnx.md</c>, generated from the operator registry and a conformance run, so
/// the committed text can be checked against the code and regenerated.
/// </summary>
public static class ConformanceTable
{
    public const string Heading = "## Import";

    /// <summary>The environment variable that makes the docs test rewrite the section instead of checking it.</summary>
    public const string WriteVariable = "NABLA_WRITE_ONNX_DOCS";

    public static string DocsPath => Path.Combine(Support.Repo.Root, "docs", "onnx.md");

    public static string Render(IReadOnlyList<ConformanceCase> cases)
    {
        var sb = new StringBuilder();
        sb.Append(Heading).Append("\n\n");
        sb.Append("""
            `Onnx.Load(path)` (or `Onnx.Load(bytes|stream, modelDirectory)`) reads an ONNX model (ai.onnx opsets 7 to 17) as an
            `OnnxModule`: a Nabla module that evaluates and trains. Each node is a child module named after the node, so
            `model.Summary(1, 3, 224, 224)` prints a per-node table. Float initializers at weight inputs (Gemm, Conv, MatMul,
            Add/Sub/Mul/Div operands, PRelu slopes, normalization scales and biases, recurrent weights, Gather tables), also
            when they reach such an input through Transpose, Reshape, Squeeze/Unsqueeze, Slice, Gather, Cast or Concat (as
            exporters write Wᵀ or reordered gate blocks), are parameters named by
            their initializer names (optimizers, `Freeze`, checkpoints work); BatchNormalization means and variances are
            buffers; values known at load time (shape computations of constants) are folded. The module starts in evaluation
            mode; `Train()` makes Dropout drop and BatchNormalization use batch statistics. `Forward(x)` runs a single-input
            graph, `Run(...)` any graph; `Inputs`/`Outputs` describe the declared shapes (symbolic dimensions as -1 with their
            names).

            Anything outside the table below (an operator, attribute value, element type, domain or opset) is refused at load
            with `OnnxUnsupportedException` naming the node, operator and opset; a corrupt file or invalid graph (a value
            nothing produces, a cycle, initializer data that disagrees with its shape, a missing external-data file) is an
            `OnnxException`. Element types: FLOAT and DOUBLE compute on Nabla tensors; BOOL and the integer types up to 32 bits
            and INT64 (not UINT64, not FLOAT16/BFLOAT16) are supported by the shape, index, comparison and arithmetic operators.

            ### Supported operators (ai.onnx, opsets 7 to 17)


            """.Replace("\r", ""));
        sb.Append("| Operator | Limits |\n|---|---|\n");
        foreach (var (name, entry) in OperatorRegistry.Operators.OrderBy(o => o.Key, StringComparer.Ordinal))
            sb.Append($"| {name} | {(entry.Notes.Length > 0 ? entry.Notes : "")} |\n");

        sb.Append("\n### Conformance\n\n");
        sb.Append("The ONNX backend test cases of Debian's libonnx-testdata (`/usr/share/libonnx-testdata/data`), run by\n");
        sb.Append("`tests/Nabla.Onnx.Tests/Conformance` (outputs compared with rtol 1e-3, atol 1e-7; integers exactly). A case is\n");
        sb.Append("\"not supported\" when `Onnx.Load` refuses it; every accepted case must pass. The `real` folder (large models\n");
        sb.Append("described by `data.json`, without model files) has a different layout and is not run. Regenerate this section with\n");
        sb.Append($"`{WriteVariable}=1 dotnet test tests/Nabla.Onnx.Tests -c Release --filter Conformance`.\n\n");
        sb.Append("| Suite | Cases | Pass | Fail | Not supported |\n|---|---:|---:|---:|---:|\n");
        foreach (var suite in ConformanceRunner.Suites)
            Row(sb, suite, cases.Where(c => c.Suite == suite).ToList());
        Row(sb, "**all**", cases);

        sb.Append("\nPer operator (`node` suite; a case counts under its model's operator):\n\n");
        sb.Append("| Operator | Pass | Fail | Not supported |\n|---|---:|---:|---:|\n");
        foreach (var group in cases.Where(c => c.Suite == "node").GroupBy(c => c.Operator).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.Append($"| {group.Key} | {Count(group, ConformanceStatus.Pass)} | {Count(group, ConformanceStatus.Fail)} | {Count(group, ConformanceStatus.NotSupported)} |\n");
        return sb.ToString();
    }

    static int Count(IEnumerable<ConformanceCase> cases, ConformanceStatus status) => cases.Count(c => c.Status == status);

    static void Row(StringBuilder sb, string name, IReadOnlyCollection<ConformanceCase> cases) =>
        sb.Append($"| {name} | {cases.Count} | {Count(cases, ConformanceStatus.Pass)} | {Count(cases, ConformanceStatus.Fail)} | {Count(cases, ConformanceStatus.NotSupported)} |\n");

    /// <summary>The committed section: from its heading to the next level-2 heading or the end of the file; null when absent.</summary>
    public static string? Committed(string docs)
    {
        int start = docs.IndexOf(Heading + "\n", StringComparison.Ordinal);
        if (start < 0) return null;
        int next = docs.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        return next < 0 ? docs[start..] : docs[start..(next + 1)];
    }

    /// <summary>The docs with the section replaced (or appended).</summary>
    public static string Replace(string docs, string section)
    {
        if (Committed(docs) is { } old) return docs.Replace(old, section, StringComparison.Ordinal);
        return docs.TrimEnd('\n') + (docs.Length > 0 ? "\n\n" : "") + section;
    }
}
