using System.Text.Json;
using System.Xml.Linq;
using Nabla.Data;
using Nabla.IO;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>The `nabla` command end to end: a short training run, its files, eval, predict on a PNG, summary and error cases.</summary>
public sealed class CliTests : IClassFixture<CliTests.TrainedRun>
{
    /// <summary>One short MLP run shared by the tests (2,000 MNIST examples, one epoch).</summary>
    public sealed class TrainedRun : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("nabla-cli").FullName;
        public CliRunner.Result Result { get; }

        public TrainedRun()
        {
            Result = CliRunner.Run(CliRunner.RepoRoot(), "train", "--model", "mlp", "--limit", "6000", "--epochs", "2", "--json", "--out", Path.Combine(Dir, "run"), "--seed", "3");
        }

        public void Dispose() => Directory.Delete(Dir, true);
    }

    private readonly TrainedRun _run;

    public CliTests(TrainedRun run) => _run = run;

    private string RunDir => Path.Combine(_run.Dir, "run");

    [Fact]
    public void TrainPrintsAJsonObjectAsItsLastLineAndWritesTheRunFolder()
    {
        Assert.True(_run.Result.ExitCode == 0, _run.Result.Stderr);
        var last = _run.Result.Stdout.Trim().Split('\n')[^1];
        using var doc = JsonDocument.Parse(last);
        var root = doc.RootElement;
        Assert.Equal("mlp", root.GetProperty("model").GetString());
        Assert.Equal("mnist", root.GetProperty("dataset").GetString());
        Assert.Equal(2, root.GetProperty("epochs").GetInt32());
        Assert.InRange(root.GetProperty("test_accuracy").GetDouble(), 0.85, 1.0);
        Assert.True(root.GetProperty("test_loss").GetDouble() > 0);
        Assert.True(root.GetProperty("train_seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.Equal(Path.GetFullPath(RunDir), root.GetProperty("out").GetString());
        foreach (var f in new[] { "model.safetensors", "last.safetensors", "best.safetensors", "run.json", "history.csv", "curves.svg", "confusion.svg", "summary.txt" })
            Assert.True(File.Exists(Path.Combine(RunDir, f)), f);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(RunDir, "history.csv")).Length);
        Assert.Contains("235,146", File.ReadAllText(Path.Combine(RunDir, "summary.txt")));
    }

    [Fact]
    public void ChartsAreValidSvg()
    {
        var curves = XDocument.Load(Path.Combine(RunDir, "curves.svg"));
        Assert.Equal(4, curves.Descendants().Count(e => e.Name.LocalName == "polyline")); // loss and accuracy, training and test
        var confusion = XDocument.Load(Path.Combine(RunDir, "confusion.svg"));
        Assert.Equal(100 + 1, confusion.Descendants().Count(e => e.Name.LocalName == "rect"));
    }

    [Fact]
    public void EvalReportsTheSameAccuracyAsTraining()
    {
        var r = CliRunner.Run(CliRunner.RepoRoot(), "eval", "--run", RunDir, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var trained = JsonDocument.Parse(_run.Result.Stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("test_accuracy").GetDouble();
        // --limit shortens training only: train and eval both report the whole 10,000-image test set.
        Assert.Equal(10_000, doc.RootElement.GetProperty("samples").GetInt32());
        Assert.Equal(trained, doc.RootElement.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(10, doc.RootElement.GetProperty("f1").GetArrayLength());
        var text = CliRunner.Run(CliRunner.RepoRoot(), "eval", "--run", RunDir);
        Assert.Contains("precision", text.Stdout);
    }

    [Fact]
    public void PredictClassifiesAPngDrawnFromTheMnistTestSet()
    {
        var test = Mnist.Load().Test;
        var files = CliRunner.WriteTestDigits(_run.Dir, 3);
        var r = CliRunner.Run(CliRunner.RepoRoot(), ["predict", "--run", RunDir, .. files]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++) Assert.StartsWith($"{files[i]}: {test.Labels![i]} ", lines[i]);
    }

    [Fact]
    public void SummaryOfLeNetCountsItsParameters()
    {
        var r = CliRunner.Run(CliRunner.RepoRoot(), "summary", "--model", "lenet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("61,706", r.Stdout);
    }

    [Theory]
    [InlineData("unknown command 'fly'", "fly")]
    [InlineData("unknown model 'vgg'", "train", "--model", "vgg")]
    [InlineData("--epochs: expected an integer, got 'many'", "train", "--epochs", "many")]
    [InlineData("--lr: must be greater than 0", "train", "--lr", "-1")]
    [InlineData("unknown option --epoch", "train", "--epoch", "3")]
    [InlineData("apt-get install dataset-fashion-mnist", "train", "--dataset", "no-such-data")]
    [InlineData("--optimizer: unknown optimizer 'adamax'", "train", "--optimizer", "adamax", "--limit", "10")]
    [InlineData("not a run folder", "eval", "--run", "/nonexistent/run")]
    public void ErrorsAreOneLineOnStandardErrorWithANonZeroExitCode(string message, params string[] args)
    {
        var r = CliRunner.Run(CliRunner.RepoRoot(), args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.StartsWith("nabla: error: ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}

/// <summary>The recurrent model of the command line trains end to end.</summary>
public sealed class CliLstmTests
{
    [Fact]
    public void LstmModelTrainsOnMnistRows()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-lstm").FullName;
        try
        {
            var r = CliRunner.Run(CliRunner.RepoRoot(), "train", "--model", "lstm", "--limit", "640", "--epochs", "1", "--json", "--out", dir);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]);
            Assert.Equal("lstm", doc.RootElement.GetProperty("model").GetString());
            Assert.True(doc.RootElement.GetProperty("test_accuracy").GetDouble() > 0.15); // above chance after 10 steps
        }
        finally { Directory.Delete(dir, true); }
    }
}
