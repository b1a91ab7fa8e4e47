using System.Globalization;
using Nabla.IO;
using Nabla.Losses;
using Nabla.Models;
using Nabla.NN;
using Nabla.Training;
using OnnxIO = Nabla.Onnx.Onnx;

namespace Nabla.Cli.Commands;

/// <summary>
/// `nabla export`: writes a trained run's model as an ONNX file (inference form) for ONNX Runtime and other consumers,
/// or its weights for PyTorch (a torch.save file or safetensors with PyTorch's names).
/// </summary>
internal static class ExportCommand
{
    public const string Help = """
        usage: nabla export --run DIR [--format onnx|torch|safetensors|pretrained] [--out FILE] [--opset N]

          --run DIR      a run folder written by 'nabla train' or 'nabla import'
          --format F     onnx (default): the whole model as an ONNX graph;
                         torch: the weights as a torch.save file (torch.load(path, weights_only=True) reads it);
                         safetensors: the weights as safetensors with PyTorch's names;
                         pretrained: a file for data/pretrained (ModelZoo.Pretrained, predict --pretrained):
                         weights with the architecture and the test accuracy in its metadata, and the
                         architecture JSON beside it (FILE with .json in place of .safetensors)
          --out FILE     the file to write (default: DIR/model.onnx, DIR/model.pt, DIR/model.torch.safetensors
                         or DIR/pretrained.safetensors)
          --opset N      the ONNX opset, 13 to 17 (default 17; onnx only)

        The ONNX graph takes 'input' [batch, ...one example's shape] and gives 'output' [batch, classes] (the logits).
        """;

    static readonly string[] Formats = ["onnx", "pretrained", .. WeightExport.Formats];

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string run = a.String("run") ?? throw new CliException("export: --run DIR is required");
        string? outPath = a.String("out");
        string format = a.String("format") ?? "onnx";
        if (!Formats.Contains(format))
            throw new CliException($"--format: unknown format '{format}'; choose {string.Join(", ", Formats)}");
        if (format != "onnx" && a.String("opset") is not null)
            throw new CliException($"--opset applies to --format onnx only, not {format}");
        int opset = a.Int("opset", OnnxIO.DefaultOpset, 13, OnnxIO.DefaultOpset);
        a.EnsureNoPositional("export");
        a.EnsureAllUsed("export");
        if (outPath is not null && string.IsNullOrWhiteSpace(outPath)) throw new CliException("--out: the file path is empty");
        var (model, config) = RunFolder.LoadModel(run);
        string fileName = format switch
        {
            "onnx" => "model.onnx",
            "pretrained" => "pretrained.safetensors",
            _ => Path.GetFileName(WeightExport.DefaultPath(run, format)),
        };
        string path = outPath ?? Path.Combine(run, fileName);
        if (Directory.Exists(path)) throw new CliException($"--out {path}: is a folder; give the file's path (e.g. {Path.Combine(path, fileName)})");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new CliException($"--out {path}: the folder {folder} does not exist", 1);
        if (format == "pretrained") return WritePretrained(model, config, path);
        if (format != "onnx")
        {
            int tensors = WeightExport.Write(model, format, path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {path} ({new FileInfo(path).Length:N0} bytes, {tensors} tensors with PyTorch's names, {format} format)"));
            return 0;
        }
        OnnxIO.Export(model, config.InputShape, path, opset);
        long size = new FileInfo(path).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {path} ({size:N0} bytes, opset {opset}, input [batch, {string.Join(", ", config.InputShape)}], output [batch, {config.ClassNames.Length}])"));
        if (config.Preprocessing is not null)
            Console.WriteLine("note: the model was trained on standardized features, (x - mean) / scale with run.json's \"preprocessing\"; " +
                              "the ONNX graph expects inputs already standardized that way");
        return 0;
    }

    /// <summary>
    /// The model with its architecture, dataset and test accuracy (measured now, on the run's test set) in the metadata,
    /// and the architecture JSON beside it: what <see cref="ModelZoo.Pretrained"/> loads.
    /// </summary>
    private static int WritePretrained(Module model, RunConfig config, string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.Ordinal))
            throw new CliException($"--out {path}: a pretrained model file ends in .safetensors");
        var data = DatasetLoader.Load(config with { Limit = null }, config.Preprocessing);
        var test = model.Evaluate(data.Test, new CrossEntropy());
        string architecture = ModelFactory.Architecture(config, config.ClassNames.Length);
        string accuracy = test.Accuracy.ToString("R", CultureInfo.InvariantCulture);
        Checkpoint.Save(path, model, new Dictionary<string, string>
        {
            [ModelZoo.ArchitectureKey] = architecture,
            [ModelZoo.TestAccuracyKey] = accuracy,
            ["nabla.dataset"] = data.Name,
            ["nabla.model"] = config.Model,
        });
        string json = Path.ChangeExtension(path, ".json");
        AtomicFile.WriteAllText(json, ModelSpec.Parse(architecture, "architecture").ToJson() + "\n");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {path} ({new FileInfo(path).Length:N0} bytes, test accuracy {test.Accuracy:F4} on {data.Name}) and {json}"));
        return 0;
    }
}
