using System.Text.Json;
using Nabla.Data;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>`nabla predict --pretrained` and `nabla eval --pretrained`: the shipped models, used without training.</summary>
public sealed class PretrainedCliTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void PredictWithThePretrainedMnistModelClassifiesPngDigits()
    {
        var test = Mnist.Load().Test;
        var files = CliRunner.WriteTestDigits(_box.Dir, 4);
        // From a folder outside the repository: the files are found above the command itself.
        var r = _box.Run(["predict", "--pretrained", "mnist", .. files]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        for (int i = 0; i < 4; i++) Assert.StartsWith($"{files[i]}: {test.Labels![i]} ", lines[i]);
    }

    [Fact]
    public void EvalWithThePretrainedMnistModelReportsItsAccuracy()
    {
        var r = CliRunner.Run(CliRunner.RepoRoot(), "eval", "--pretrained", "mnist", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(10_000, doc.RootElement.GetProperty("samples").GetInt32());
        Assert.True(doc.RootElement.GetProperty("accuracy").GetDouble() >= Models.PretrainedTests.MnistAccuracy);
    }

    [Fact]
    public void UnknownPretrainedNamesAndMixedSourcesAreOneLineErrors()
    {
        var r = _box.Run("predict", "--pretrained", "imagenet", "x.png");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--pretrained: unknown model 'imagenet'; known pretrained models: mnist, fashion-mnist", r.Stderr);
        var both = _box.Run("eval", "--pretrained", "mnist", "--run", "somewhere");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give one of --pretrained NAME, --run DIR or --model FILE.onnx", both.Stderr);
    }
}
