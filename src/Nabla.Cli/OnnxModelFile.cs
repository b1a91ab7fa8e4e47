using System.Globalization;
using Nabla.Onnx;
using OnnxIO = Nabla.Onnx.Onnx;

namespace Nabla.Cli;

/// <summary>
/// An ONNX file given to predict, eval or summary with --model: loading it (the importer's errors name the file, node and
/// operator) and reading the shape of one example from its declared input.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>True when --model names an ONNX file rather than a zoo model or a JSON architecture file.</summary>
    public static bool IsOnnx(string model) =>
        model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
        || (File.Exists(model) && !model.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads the model in evaluation mode; a missing path is a command-line error, a bad file an <see cref="OnnxException"/>.</summary>
    public static OnnxModule Load(string path, string command)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{command}: --model: the ONNX file path is empty");
        if (Directory.Exists(path)) throw new CliException($"{command}: --model {path}: is a folder; give an .onnx file (or a run folder with --run)");
        if (!File.Exists(path)) throw new CliException($"{command}: --model: ONNX file '{path}' not found");
        return OnnxIO.Load(path);
    }

    /// <summary>--run DIR or --model FILE.onnx, exactly one of them.</summary>
    public static (string? Run, string? Model) RunOrModel(Arguments a, string command)
    {
        string? run = a.String("run"), model = a.String("model");
        if (run is not null && model is not null)
            throw new CliException($"{command}: give either --run DIR or --model FILE.onnx, not both");
        if (run is null && model is null)
            throw new CliException($"{command}: --run DIR is required (or --model FILE.onnx)");
        return (run, model);
    }

    /// <summary>The declared input as text, e.g. <c>input: FLOAT [batch, 1, 28, 28]</c>.</summary>
    public static string Describe(OnnxModule model) => string.Join("; ", model.Inputs.Select(i => i.ToString()));

    /// <summary>
    /// The shape of one example (the declared input without its batch axis) and the batch size to feed: the whole
    /// batch for a symbolic batch axis, 1 when the file fixes it at 1. Other dimensions must be fixed.
    /// </summary>
    public static (int[] Example, int BatchSize) ExampleShape(OnnxModule model, string path)
    {
        if (model.Inputs.Count != 1)
            throw new CliException($"{path}: the model has {model.Inputs.Count} inputs ({Describe(model)}); predict and eval feed models with one input", 1);
        var input = model.Inputs[0];
        if (input.ElementType is not ("FLOAT" or "DOUBLE"))
            throw new CliException($"{path}: the model's input is {input}; predict and eval feed float images or features", 1);
        if (input.Shape is not { Count: >= 2 } shape)
            throw new CliException($"{path}: the model's input is {input}; expected a declared shape [batch, ...]", 1);
        if (shape[0] > 1)
            throw new CliException($"{path}: the model's input is {input}: its batch axis is fixed at {shape[0]}; expected a symbolic batch axis or 1", 1);
        var example = shape.Skip(1).ToArray();
        if (example.Any(d => d < 0))
            throw new CliException($"{path}: the model's input is {input}: only the batch axis may be symbolic to feed images or CSV rows", 1);
        return (example, shape[0] == 1 ? 1 : Nabla.Training.ModelEvaluation.DefaultBatchSize);
    }

    /// <summary>Class names: --classes a,b,c, --labels FILE (one per line), or 0..K-1.</summary>
    public static string[] ClassNames(string? classes, string? labelsFile)
    {
        if (classes is not null && labelsFile is not null) throw new CliException("give either --classes or --labels, not both");
        if (classes is not null) return classes.Split(',', StringSplitOptions.TrimEntries);
        if (labelsFile is null) return [];
        if (!File.Exists(labelsFile)) throw new CliException($"--labels: file '{labelsFile}' not found");
        return File.ReadAllLines(labelsFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    /// <summary>A shape as [1, 28, 28].</summary>
    public static string Shape(IEnumerable<int> dims) => "[" + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
