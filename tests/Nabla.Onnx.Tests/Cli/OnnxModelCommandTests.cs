using System.Globalization;
using Nabla.Cli;
using Nabla.Data;
using Nabla.IO;
using Nabla.Onnx.Tests.Torch;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Cli;

/// <summary>
/// `nabla predict|eval|summary --model FILE.onnx`: a run folder exported with `nabla export` gives through its ONNX file
/// what the run gives; PyTorch's LeNet classifies an MNIST digit; the option errors.
/// </summary>
public sealed class OnnxModelCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-onnx-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string this[string name] => Path.Combine(_dir, name);

    /// <summary>A run of <paramref name="model"/> (random weights, as `nabla train` stores them) exported to ONNX by `nabla export`.</summary>
    private (string Run, string Onnx) Exported(string model, int[] inputShape)
    {
        string run = this[model];
        Directory.CreateDirectory(run);
        var config = new RunConfig { Model = model, InputShape = inputShape, ClassNames = ["zero", "one", "two"] };
        File.WriteAllText(Path.Combine(run, "run.json"), config.ToJson());
        var net = ModelFactory.Build(config, 3, new Generator(5));
        Checkpoint.Save(RunFolder.ModelPath(run), net, new Dictionary<string, string> { ["nabla.config"] = config.ToJson() });
        string onnx = this[model + ".onnx"];
        var (code, _, stderr) = NablaCli.Run("export", "--run", run, "--out", onnx);
        Assert.True(code == 0, stderr);
        return (run, onnx);
    }

    /// <summary>Grayscale 28×28 PNG images of three classes (a bar at a place per class), in one folder per class.</summary>
    private string Images(int perClass)
    {
        var rng = new Random(3);
        foreach (var c in new[] { "zero", "one", "two" })
            for (int i = 0; i < perClass; i++)
            {
                var px = new float[28 * 28];
                int row = 4 + 8 * Array.IndexOf(["zero", "one", "two"], c) + rng.Next(3);
                for (int x = 4; x < 24; x++) px[row * 28 + x] = 0.6f + 0.4f * (float)rng.NextDouble();
                Directory.CreateDirectory(this[Path.Combine("images", c)]);
                File.WriteAllBytes(this[Path.Combine("images", c, $"{i}.png")], Png.EncodeGray(new GrayImage(28, 28, px)));
            }
        return this["images"];
    }

    [Fact]
    public void PredictOnTheExportedFileGivesTheRunsClassesAndProbabilities()
    {
        var (run, onnx) = Exported("lenet", [1, 28, 28]);
        string folder = Images(2);
        var files = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order().ToArray();
        var byRun = NablaCli.Run(["predict", "--run", run, .. files]);
        var byModel = NablaCli.Run(["predict", "--model", onnx, "--classes", "zero,one,two", .. files]);
        Assert.True(byRun.Code == 0 && byModel.Code == 0, byRun.Stderr + byModel.Stderr);
        Assert.Equal(files.Length, byModel.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(byRun.Stdout, byModel.Stdout);
        // Without names the classes are 0..K-1; --labels reads them from a file.
        var unnamed = NablaCli.Run("predict", "--model", onnx, files[0]);
        Assert.Matches(@": [012]  \([012] 0\.\d{4}, [012] 0\.\d{4}, [012] 0\.\d{4}\)", unnamed.Stdout);
        File.WriteAllLines(this["labels.txt"], ["zero", "one", "two"]);
        Assert.Equal(byModel.Stdout.Split('\n')[0], NablaCli.Run("predict", "--model", onnx, "--labels", this["labels.txt"], files[0]).Stdout.Split('\n')[0]);
    }

    [Fact]
    public void PredictFeedsCsvRowsToAModelOfFeatures()
    {
        var (run, onnx) = Exported("mlp", [4]);
        File.WriteAllText(this["rows.csv"], "a,b,c,d\n0.1,2,-1,0.5\n3,0,0.25,-2\n");
        var byRun = NablaCli.Run("predict", "--run", run, this["rows.csv"]);
        var byModel = NablaCli.Run("predict", "--model", onnx, "--classes", "zero,one,two", this["rows.csv"]);
        Assert.True(byModel.Code == 0, byModel.Stderr);
        Assert.Equal(byRun.Stdout, byModel.Stdout);
        Assert.Contains("rows.csv:2: ", byModel.Stdout);
    }

    [Fact]
    public void EvalOnTheExportedFileGivesTheRunsAccuracyAndLoss()
    {
        var (run, onnx) = Exported("lenet", [1, 28, 28]);
        string folder = Images(10);
        var byRun = NablaCli.Run("eval", "--run", run, "--dataset", folder, "--json");
        var byModel = NablaCli.Run("eval", "--model", onnx, "--dataset", folder, "--json");
        Assert.True(byRun.Code == 0 && byModel.Code == 0, byRun.Stderr + byModel.Stderr);
        using var r = System.Text.Json.JsonDocument.Parse(byRun.Stdout);
        using var m = System.Text.Json.JsonDocument.Parse(byModel.Stdout);
        Assert.Equal(6, m.RootElement.GetProperty("samples").GetInt32());
        Assert.Equal(r.RootElement.GetProperty("accuracy").GetDouble(), m.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal(r.RootElement.GetProperty("loss").GetDouble(), m.RootElement.GetProperty("loss").GetDouble(), 5);
        Assert.Equal(r.RootElement.GetProperty("confusion").ToString(), m.RootElement.GetProperty("confusion").ToString());
        Assert.Equal(Path.GetFullPath(onnx), m.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void SummaryPrintsTheHeaderAndOneRowPerNodeWithTheParameterTotal()
    {
        var (run, onnx) = Exported("lenet", [1, 28, 28]);
        var (code, stdout, stderr) = NablaCli.Run("summary", "--model", onnx);
        Assert.True(code == 0, stderr);
        var graph = Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx)).Graph;
        Assert.Contains($"{onnx}: producer nabla", stdout);
        Assert.Contains("opset 17", stdout);
        Assert.Contains("input   input: FLOAT [batch, 1, 28, 28]", stdout);
        Assert.Contains("output  output: FLOAT [batch, 3]", stdout);
        var lines = stdout.Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith("---", StringComparison.Ordinal)) + 1;
        int last = Array.FindIndex(lines, l => l.StartsWith("===", StringComparison.Ordinal));
        Assert.Equal(graph.Node.Count, last - first);
        long total = RunFolder.LoadModel(run).Model.ParameterCount();
        Assert.Contains($"Total params: {total.ToString("N0", CultureInfo.InvariantCulture)}", stdout);
        Assert.Contains("Input shape: [1,1,28,28]", stdout);
    }

    [Fact]
    public void PyTorchsLeNetClassifiesAPngOfAnMnistDigit()
    {
        string onnx = Path.Combine(TorchFixtureTests.FixtureFolder, "lenet", "model.onnx");
        var model = Onnx.Load(onnx);
        var test = Mnist.Load().Test;
        // The fixture is a weak LeNet (about 60%): take the first test digit it gets right in process.
        int i = Enumerable.Range(0, 20).First(k => model.Forward(test.Slice(k, 1).Features).ArgMax(1).ToArray()[0] == test.Labels![k]);
        var png = Png.EncodeGray(new GrayImage(28, 28, test.Slice(i, 1).Features.ToArray()));
        File.WriteAllBytes(this["digit.png"], png);
        var (code, stdout, stderr) = NablaCli.Run("predict", "--model", onnx, this["digit.png"], "--top", "1");
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{this["digit.png"]}: {test.Labels![i]}  ({test.Labels[i]} 0.", stdout);
    }

    [Theory]
    [InlineData("predict: give either --run DIR or --model FILE.onnx, not both", "predict", "--run", "r", "--model", "m.onnx", "a.png")]
    [InlineData("predict: --run DIR is required (or --model FILE.onnx)", "predict", "a.png")]
    [InlineData("eval: give either --run DIR or --model FILE.onnx, not both", "eval", "--run", "r", "--model", "m.onnx")]
    [InlineData("eval: --run DIR is required (or --model FILE.onnx)", "eval")]
    public void RunAndModelAreExclusive(string message, params string[] args)
    {
        var (code, stdout, stderr) = NablaCli.Run(args);
        Assert.Equal(2, code);
        Assert.Equal($"nabla: error: {message}\n", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void InputsTheModelCannotTakeAreErrorsNamingTheShapes()
    {
        var (_, lenet) = Exported("lenet", [1, 28, 28]);
        File.WriteAllText(this["rows.csv"], "a,b\n1,2\n");
        var (code, _, stderr) = NablaCli.Run("predict", "--model", lenet, this["rows.csv"]);
        Assert.Equal(1, code);
        Assert.Contains("the model takes input: FLOAT [batch, 1, 28, 28]; CSV rows can feed [batch, F] only", stderr);
        File.WriteAllText(this["iris.csv"], "a,b,c\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{i % 3},{i % 2}\n")));
        (code, _, stderr) = NablaCli.Run("eval", "--model", lenet, "--dataset", this["iris.csv"]);
        Assert.Equal(1, code);
        Assert.Contains("its examples have shape [2]; the model " + lenet + " takes [1, 28, 28]", stderr);
        (code, _, stderr) = NablaCli.Run("predict", "--model", lenet, "--classes", "a,b", Images(1) + "/one/0.png");
        Assert.Equal(2, code);
        Assert.Contains("2 class names given for the 3 outputs of " + lenet, stderr);
    }
}
