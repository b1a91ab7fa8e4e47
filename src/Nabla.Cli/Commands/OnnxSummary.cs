using System.Globalization;
using Nabla.Diagnostics;

namespace Nabla.Cli.Commands;

/// <summary>`nabla summary --model FILE.onnx`: the file's header, then the layer table with one row per node.</summary>
internal static class OnnxSummary
{
    public static int Run(string path, int[]? input)
    {
        var graph = OnnxModelFile.Load(path, "summary");
        if (graph.Inputs.Count != 1)
            throw new CliException($"summary: {path}: the model has {graph.Inputs.Count} inputs ({OnnxModelFile.Describe(graph)}); the layer table needs a model with one input", 1);
        var info = graph.Inputs[0];
        var declared = info.Shape ?? throw new CliException($"summary: {path}: the input {info} declares no shape; give it with --input", 1);
        int[] shape = Resolve(path, info.ToString(), declared.ToArray(), input);
        var table = graph.Summary(shape);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path}: producer {(graph.Producer.Length > 0 ? graph.Producer : "(none)")}, IR version {graph.IrVersion}, opset {graph.Opset}"));
        foreach (var i in graph.Inputs) Console.WriteLine($"  input   {i}");
        foreach (var o in graph.Outputs) Console.WriteLine($"  output  {o}");
        Console.WriteLine();
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>The shape of the summary pass: the declared one with a symbolic batch of 1, --input for the other axes.</summary>
    private static int[] Resolve(string path, string info, int[] declared, int[]? input)
    {
        if (input is not null)
        {
            if (input.Length != declared.Length - 1 || input.Where((d, i) => declared[i + 1] >= 0 && declared[i + 1] != d).Any())
                throw new CliException($"summary: --input {string.Join(",", input)} does not fit the input of {path}, {info}: expected {declared.Length - 1} sizes without the batch axis, equal to the fixed ones", 1);
            return [declared.Length > 0 && declared[0] > 0 ? declared[0] : 1, .. input];
        }
        if (declared.Length == 0) return [];
        if (declared.Skip(1).Any(d => d < 0))
            throw new CliException($"summary: the input of {path} is {info}: give the symbolic sizes after the batch axis with --input (e.g. --input {string.Join(",", declared.Skip(1).Select(d => d < 0 ? "N" : d.ToString(CultureInfo.InvariantCulture)))})");
        return [declared[0] > 0 ? declared[0] : 1, .. declared.Skip(1)];
    }
}
