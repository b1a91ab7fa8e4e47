using System.Text.Json;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>`nabla train --widths A,B,C,D` for bncnn and the recipes: the model is built with them, run.json keeps them so eval rebuilds it; bad lists are refused.</summary>
public class WidthsCliTests
{
    [Fact]
    public void TheModelIsBuiltWithTheWidthsAndEvalRebuildsIt()
    {
        using var box = new CliSandbox();
        var r = box.Run("train", "--model", "fashion-best", "--dataset", "mnist", "--widths", "8,8,16,12", "--limit", "256", "--epochs", "1", "--batch-size", "64", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(box["run"], "run.json"))))
            Assert.Equal([8, 8, 16, 12], run.RootElement.GetProperty("widths").EnumerateArray().Select(e => e.GetInt32()));
        var weights = Nabla.IO.Checkpoint.Read(Path.Combine(box["run"], "model.safetensors")).Tensors;
        // Conv weights [out, in, 3, 3] in order, then the dense layer from 12 channels of 7x7.
        var convs = weights.Where(t => t.Value.Shape.Rank == 4).Select(t => t.Value.Shape.Dims.ToArray()).ToList();
        Assert.Equal([[8, 1, 3, 3], [8, 8, 3, 3], [16, 8, 3, 3], [12, 16, 3, 3]], convs);
        Assert.Contains(weights, t => t.Value.Shape.Dims.SequenceEqual([10, 12 * 7 * 7]));
        var eval = box.Run("eval", "--run", box["run"], "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
    }

    [Theory]
    [InlineData("bncnn", "8,8,16", "four channel counts")]
    [InlineData("bncnn", "8,x,16,16", "got '8,x,16,16'")]
    [InlineData("bncnn", "8,0,16,16", "from 1 to 1024")]
    [InlineData("lenet", "8,8,16,16", "model lenet has no widths")]
    public void BadWidthsAreRefusedInOneLine(string model, string widths, string message)
    {
        using var box = new CliSandbox();
        var r = box.Run("train", "--model", model, "--limit", "100", "--widths", widths, "--out", "run");
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("nabla: error: --widths", r.Stderr);
        Assert.Contains(message, r.Stderr);
        Assert.False(Directory.Exists(box["run"]));
    }
}
