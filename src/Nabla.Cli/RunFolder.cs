using System.Globalization;
using Nabla.Diagnostics;
using Nabla.IO;
using Nabla.NN;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>The files of a run folder: model.safetensors (final weights, architecture and configuration in its metadata), history.csv, curves.svg, confusion.svg, summary.txt.</summary>
internal static class RunFolder
{
    public static string ModelPath(string dir) => Path.Combine(dir, "model.safetensors");

    public static void WriteResults(string dir, Trainer trainer, Evaluation test, RunConfig config, string architecture, bool validationIsTest)
    {
        SaveModel(dir, trainer.Model, config, architecture);
        var h = trainer.History;
        var epochs = h.Epochs.Select(e => (double)e.Epoch).ToArray();
        string val = validationIsTest ? "test" : "validation";
        var loss = new LineChart("Loss", "epoch", "loss") { IntegerX = true }.Add("training", epochs, h.Values("loss")).Add(val, epochs, h.Values("val_loss"), dashed: true);
        var acc = new LineChart("Accuracy", "epoch", "accuracy") { IntegerX = true }.Add("training", epochs, h.Values("accuracy")).Add(val, epochs, h.Values("val_accuracy"), dashed: true);
        AtomicFile.WriteAllText(Path.Combine(dir, "curves.svg"), LineChart.SideBySide(loss, acc));
        if (test.Confusion is { } cm)
        {
            var names = config.ClassNames.Length == cm.Classes ? config.ClassNames : Enumerable.Range(0, cm.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            AtomicFile.WriteAllText(Path.Combine(dir, "confusion.svg"),
                Heatmap.ToSvg(cm.ToArray(), names, names, string.Create(CultureInfo.InvariantCulture, $"Confusion matrix (test accuracy {cm.Accuracy:P2})")));
        }
        var summary = trainer.Model.Summary([1, .. config.InputShape]);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.txt"),
            summary + "\n\n" + string.Create(CultureInfo.InvariantCulture, $"test accuracy {test.Accuracy:F4}, test loss {test.Loss:F4}\n")
            + (test.Confusion is { } c ? "\n" + c.ToString(config.ClassNames) + "\n" : ""));
    }

    /// <summary>
    /// Writes the run folder of imported weights (`nabla import`): run.json, model.safetensors and summary.txt. It has no
    /// training history and no last.safetensors; `nabla train --resume` then starts training from these weights.
    /// </summary>
    public static void WriteImported(string dir, Module model, RunConfig config, string architecture)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, "run.json"), config.ToJson());
        SaveModel(dir, model, config, architecture);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.txt"), model.Summary([1, .. config.InputShape]) + $"\n\nimported from {config.ImportedFrom}\n");
    }

    private static void SaveModel(string dir, Module model, RunConfig config, string architecture) =>
        Checkpoint.Save(ModelPath(dir), model, new Dictionary<string, string>
        {
            ["nabla.architecture"] = architecture,
            ["nabla.config"] = config.ToJson(),
        });

    /// <summary>Rebuilds the trained model of a run folder (architecture from run.json, weights from model.safetensors).</summary>
    public static (Module Model, RunConfig Config) LoadModel(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new CliException("--run: the run folder path is empty");
        var config = RunConfig.Load(dir);
        string path = ModelPath(dir);
        if (!File.Exists(path)) throw new CliException($"{dir}: no model.safetensors; the run has not finished (resume it with 'nabla train --resume {dir}')");
        var model = ModelFactory.Build(config, config.ClassNames.Length);
        Checkpoint.Load(path, model);
        foreach (var (name, p) in model.NamedParameters())
            if (!p.Data.ToDoubleArray().All(double.IsFinite))
                throw new CliException($"{path}: parameter '{name}' holds NaN or infinite values (the training diverged); train the run again with a smaller --lr", 1);
        model.Eval();
        return (model, config);
    }
}
