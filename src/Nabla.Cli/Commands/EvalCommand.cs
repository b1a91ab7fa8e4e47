using System.Globalization;
using System.Text.Json;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>`nabla eval`: metrics, per-class precision/recall/F1 and the confusion matrix of a trained run.</summary>
internal static class EvalCommand
{
    public const string Help = """
        usage: nabla eval --run DIR [--dataset D] [--json]
               nabla eval --pretrained mnist|fashion-mnist [--dataset D] [--json]
               nabla eval --model FILE.onnx [--dataset D] [--label COL] [--json]

          --run DIR        a run folder written by 'nabla train'
          --pretrained N   a model shipped with Nabla (data/pretrained): mnist or fashion-mnist
          --model F.onnx   an ONNX model whose output [batch, classes] holds logits (or probabilities when the
                           graph ends in Softmax); its declared input must take the dataset's examples
          --dataset D      evaluate on another dataset's test split (default: the run's dataset; mnist for --model):
                           mnist, fashion-mnist, a folder of IDX files or of images (one subfolder per class,
                           read at the model's input size), or a CSV file (features standardized as 'nabla train' does)
          --label COL      the class column of a CSV dataset (--model only; default: the last column)
          --json           print one JSON object instead of tables
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string> { "json" });
        string? pretrained = PretrainedModel.Option(a, "eval");
        var (run, onnx) = pretrained is null ? OnnxModelFile.RunOrModel(a, "eval") : (null, null);
        string? dataset = a.String("dataset");
        bool json = a.Flag("json");
        string? label = a.String("label");
        a.EnsureNoPositional("eval");
        a.EnsureAllUsed("eval");
        if (label is not null && onnx is null) throw new CliException("eval: --label applies to --model; a run's label column is in its run.json");
        if (onnx is not null) return EvalOnnx.Run(onnx, dataset ?? "mnist", label, json);
        var (model, config) = pretrained is null ? RunFolder.LoadModel(run!) : PretrainedModel.Load(pretrained);
        string source = run ?? $"pretrained {pretrained}";
        var data = DatasetLoader.Load(config with { Dataset = dataset is null ? config.Dataset : DatasetLoader.Canonical(dataset), Limit = null }, config.Preprocessing);
        // Another dataset must give examples of the shape the model takes and no more classes than it has outputs.
        if (!data.InputShape.SequenceEqual(config.InputShape))
            throw new CliException($"eval --dataset {data.Name}: its examples have shape [{string.Join(",", data.InputShape)}]; the model of {source} takes [{string.Join(",", config.InputShape)}]", 1);
        if (data.ClassNames.Length > config.ClassNames.Length)
            throw new CliException($"eval --dataset {data.Name}: it has {data.ClassNames.Length} classes; the model of {source} has {config.ClassNames.Length} outputs", 1);
        Report(pretrained is null ? "run" : "pretrained", run ?? ModelZoo.PretrainedPath(pretrained!), data, model.Evaluate(data.Test, new CrossEntropy()), json);
        return 0;
    }

    /// <summary>Prints the metrics as tables or one JSON object; <paramref name="key"/> names the source (run or model).</summary>
    public static void Report(string key, string source, DatasetLoader.Loaded data, Evaluation ev, bool json)
    {
        var cm = ev.Confusion!;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                [key] = Path.GetFullPath(source),
                ["dataset"] = data.Name,
                ["samples"] = ev.Count,
                ["accuracy"] = ev.Accuracy,
                ["loss"] = ev.Loss,
                ["macro_f1"] = cm.MacroF1,
                ["precision"] = Enumerable.Range(0, cm.Classes).Select(cm.Precision).ToArray(),
                ["recall"] = Enumerable.Range(0, cm.Classes).Select(cm.Recall).ToArray(),
                ["f1"] = Enumerable.Range(0, cm.Classes).Select(cm.F1).ToArray(),
                ["confusion"] = Enumerable.Range(0, cm.Classes).Select(r => Enumerable.Range(0, cm.Classes).Select(c => cm[r, c]).ToArray()).ToArray(),
            }));
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{data.Name} test set: {ev.Count} samples  accuracy {ev.Accuracy:F4}  loss {ev.Loss:F4}"));
        Console.WriteLine();
        Console.WriteLine(cm.ToString(data.ClassNames));
    }
}
