using System.Text.Json;
using Nabla.Data;
using Nabla.IO;
using Nabla.IO.Torch;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>
/// `nabla import` turns PyTorch weights into a run folder that the real `eval`, `predict` and `train --resume` accept,
/// and <see cref="Nabla.Cli.WeightExport"/> writes a run's weights back in PyTorch's formats.
/// </summary>
public class ImportCommandTests
{
    [Fact]
    public void ImportedLeNetIsEvaluatedAndPredictsAndExportsTheSameWeights()
    {
        using var box = new CliSandbox();
        var lenet = ModelZoo.LeNet5(new Generator(5));
        var weights = lenet.StateDict();
        TorchFile.Save(box["lenet.pt"], weights);

        var r = box.Run("import", "--torch", "lenet.pt", "--model", "lenet", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("imported 10 tensors from lenet.pt", r.Stdout);
        var stored = CliRunner.ModelWeights(box["run"]);
        foreach (var (name, t) in weights) Assert.Equal(t.ToArray(), stored["model." + name]);

        // eval runs the imported weights: the same accuracy as the model evaluated here.
        var ev = box.Run("eval", "--run", "run", "--json");
        Assert.True(ev.ExitCode == 0, ev.Stderr);
        double accuracy = JsonDocument.Parse(ev.Stdout).RootElement.GetProperty("accuracy").GetDouble();
        lenet.Eval();
        Assert.Equal(lenet.Evaluate(Mnist.Load().Test, new CrossEntropy()).Accuracy, accuracy, 12);

        var png = box.Write("digit.png", Png.EncodeGray(new GrayImage(28, 28, new float[784])));
        var p = box.Run("predict", "--run", "run", png);
        Assert.True(p.ExitCode == 0, p.Stderr);
        Assert.StartsWith($"{png}: ", p.Stdout);

        // Back out: both formats hold exactly the imported tensors under PyTorch's names.
        foreach (var format in new[] { "torch", "safetensors" })
        {
            string path = box[$"out.{format}"];
            var ex = box.Run("export", "--run", "run", "--format", format, "--out", $"out.{format}");
            Assert.True(ex.ExitCode == 0, ex.Stderr);
            Assert.Contains("10 tensors with PyTorch's names", ex.Stdout);
            var back = TorchFile.Load(path);
            Assert.Equal(weights.Keys, back.Keys);
            foreach (var (name, t) in weights) Assert.Equal(t.ToArray(), back[name].ToArray());
        }
        Assert.Equal(Path.Combine(box["run"], "model.pt"), Nabla.Cli.WeightExport.DefaultPath(box["run"], "torch"));
        Assert.Contains("unknown weight format 'onnx'", Assert.Throws<Nabla.Cli.CliException>(() => Nabla.Cli.WeightExport.Write(box["run"], "onnx")).Message);
    }

    [Fact]
    public void ImportedRunResumesTrainingFromTheImportedWeights()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike());
        var mlp = ModelZoo.MLP([64], 0, new Generator(9), inputs: 4, classes: 3); // what --model mlp builds for 4 features
        TorchFile.SaveSafeTensors(box["mlp.safetensors"], mlp.StateDict());

        var r = box.Run("import", "--safetensors", "mlp.safetensors", "--model", "mlp", "--dataset", "iris.csv", "--epochs", "2", "--lr", "0.01", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var imported = CliRunner.ModelWeights(box["run"]);
        Assert.Equal(mlp.StateDict()["1.weight"].ToArray(), imported["model.1.weight"]);

        var t = box.Run("train", "--resume", "run");
        Assert.True(t.ExitCode == 0, t.Stderr + t.Stdout);
        Assert.Contains("from the weights imported from mlp.safetensors, 2 epochs", t.Stdout);
        Assert.Equal(3, File.ReadAllLines(box["run/history.csv"]).Length); // header and two epochs
        Assert.NotEqual(imported["model.1.weight"], CliRunner.ModelWeights(box["run"])["model.1.weight"]);
        Assert.True(File.Exists(box["run/last.safetensors"]));
    }

    [Fact]
    public void ImportsIntoAJsonArchitecture()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike());
        box.Write("net.json", """{"layers": [{"type": "linear", "in": 4, "out": 5}, {"type": "prelu", "channels": 5}, {"type": "linear", "in": 5, "out": 3}]}""");
        var net = Nabla.Models.ModelSpec.Parse(File.ReadAllText(box["net.json"]), "net.json").Build(new Generator(3));
        TorchFile.Save(box["net.pt"], net.StateDict());
        Assert.Equal(["0.weight", "0.bias", "1.weight", "2.weight", "2.bias"], net.StateDict().Keys);
        var r = box.Run("import", "--torch", "net.pt", "--model", "net.json", "--dataset", "iris.csv", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var ev = box.Run("eval", "--run", "run");
        Assert.True(ev.ExitCode == 0, ev.Stderr);
        Assert.Equal(net.StateDict()["2.weight"].ToArray(), CliRunner.ModelWeights(box["run"])["model.2.weight"]);
    }

    [Fact]
    public void WeightsOfAnotherArchitectureAreRefusedAndNothingIsWritten()
    {
        using var box = new CliSandbox();
        TorchFile.Save(box["lenet.pt"], ModelZoo.LeNet5(new Generator(5)).StateDict());
        var r = box.Run("import", "--torch", "lenet.pt", "--model", "mlp", "--out", "run");
        Assert.Equal(1, r.ExitCode);
        // All differences in one message: missing, unexpected, and the same name with another shape.
        Assert.Contains("lenet.pt: does not fit the model: missing [1.weight, 1.bias, 5.weight, 5.bias]; unexpected [0.weight, 0.bias, 7.weight", r.Stderr);
        Assert.Contains("tensor '3.weight' of Linear(256 → 128) has shape [16,6,5,5] in the file but [128,256] in the model", r.Stderr);
        Assert.False(Directory.Exists(box["run"]));
        Assert.False(Directory.Exists(box["run.partial"]));

        var both = box.Run("import", "--torch", "lenet.pt", "--safetensors", "x", "--model", "lenet", "--out", "run");
        Assert.Contains("exactly one of --torch FILE.pt or --safetensors FILE", both.Stderr);
    }
}
