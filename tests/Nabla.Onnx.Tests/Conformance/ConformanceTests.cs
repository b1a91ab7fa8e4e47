using System.Diagnostics;
using Nabla.Onnx.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Nabla.Onnx.Tests.Conformance;

/// <summary>The ONNX backend conformance cases: every case Onnx.Load accepts must pass; the docs table must match the run.</summary>
public class ConformanceTests(ITestOutputHelper output)
{
    static readonly Lazy<(IReadOnlyList<ConformanceCase> Cases, TimeSpan Time)> Results = new(() =>
    {
        var watch = Stopwatch.StartNew();
        var cases = ConformanceRunner.RunAll(ExternalTools.OnnxTestData);
        return (cases, watch.Elapsed);
    });

    [OnnxTestDataFact]
    public void EverySupportedCasePasses()
    {
        var (cases, time) = Results.Value;
        int pass = cases.Count(c => c.Status == ConformanceStatus.Pass);
        int unsupported = cases.Count(c => c.Status == ConformanceStatus.NotSupported);
        var failures = cases.Where(c => c.Status == ConformanceStatus.Fail).ToList();
        output.WriteLine($"{cases.Count} cases in {time.TotalSeconds:F1} s: {pass} pass, {failures.Count} fail, {unsupported} not supported");
        if (Environment.GetEnvironmentVariable("NABLA_ONNX_CONFORMANCE_LOG") is { Length: > 0 } log)
            File.WriteAllLines(log, cases.Select(c => $"{c.Status}\t{c.Suite}/{c.Name}\t{c.Operator}\t{c.Reason}"));
        Assert.True(failures.Count == 0,
            $"{failures.Count} supported cases fail:\n" + string.Join("\n", failures.Select(f => $"{f.Suite}/{f.Name} ({f.Operator}): {f.Reason}")));
    }

    [OnnxTestDataFact]
    public void DocsTableMatchesTheRun()
    {
        string section = ConformanceTable.Render(Results.Value.Cases);
        string path = ConformanceTable.DocsPath;
        string docs = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal) : "";
        if (Environment.GetEnvironmentVariable(ConformanceTable.WriteVariable) is "1")
        {
            File.WriteAllText(path, ConformanceTable.Replace(docs.Length > 0 ? docs : "# ONNX\n", section));
            return;
        }
        var committed = ConformanceTable.Committed(docs);
        Assert.True(committed == section,
            $"{path}'s '{ConformanceTable.Heading}' section is stale; regenerate it with {ConformanceTable.WriteVariable}=1 " +
            "dotnet test tests/Nabla.Onnx.Tests -c Release --filter Conformance");
    }
}
