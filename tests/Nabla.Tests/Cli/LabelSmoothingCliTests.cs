using System.Text.Json;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>`nabla train --label-smoothing`: stored in run.json, kept by --resume, refused out of range; recipes carry their own.</summary>
public class LabelSmoothingCliTests
{
    [Fact]
    public void TheSettingIsSavedAndAResumedRunKeepsIt()
    {
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "mlp", "--limit", "600", "--seed", "3", "--label-smoothing", "0.1"];
        Assert.Equal(0, box.Run([.. args, "--epochs", "2", "--out", "straight"]).ExitCode);
        Assert.Equal(0, box.Run([.. args, "--epochs", "1", "--out", "split"]).ExitCode);
        var resumed = box.Run("train", "--resume", "split", "--epochs", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(box["split"], "run.json")));
        Assert.Equal(0.1, run.RootElement.GetProperty("label_smoothing").GetDouble());
        // The resumed run trained its second epoch against the same smoothed targets: the same weights, bit for bit.
        var a = CliRunner.ModelWeights(box["straight"]);
        var b = CliRunner.ModelWeights(box["split"]);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        // And smoothing changed training: a run without it ends elsewhere.
        Assert.Equal(0, box.Run("train", "--model", "mlp", "--limit", "600", "--seed", "3", "--epochs", "2", "--out", "plain").ExitCode);
        var plain = CliRunner.ModelWeights(box["plain"]);
        Assert.Contains(a.Keys, k => !a[k].SequenceEqual(plain[k]));
    }

    [Fact]
    public void ARecipeBringsItsOwnSmoothingAndAFlagOverridesIt()
    {
        // fashion-best smooths its targets by 0.1; run here on MNIST (--dataset overrides the recipe's) to stay quick.
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "fashion-best", "--dataset", "mnist", "--limit", "256", "--epochs", "1", "--batch-size", "64"];
        Assert.Equal(0, box.Run([.. args, "--out", "recipe"]).ExitCode);
        Assert.Equal(0, box.Run([.. args, "--label-smoothing", "0", "--out", "flag"]).ExitCode);
        double Smoothing(string run)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(box[run], "run.json")));
            return doc.RootElement.GetProperty("label_smoothing").GetDouble();
        }
        Assert.Equal(0.1, Smoothing("recipe"));
        Assert.Equal(0.0, Smoothing("flag"));
    }

    [Theory]
    [InlineData("0.6")]
    [InlineData("-0.1")]
    public void OutOfRangeValuesAreRefusedInOneLine(string value)
    {
        using var box = new CliSandbox();
        var r = box.Run("train", "--model", "mlp", "--limit", "100", "--label-smoothing", value, "--out", "run");
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("nabla: error: ", r.Stderr);
        Assert.Contains("--label-smoothing", r.Stderr);
        Assert.False(Directory.Exists(box["run"]));
    }

    [Fact]
    public void ASmoothedTargetCostsWhatTheFormulaSays()
    {
        // ε = 0.1 over K = 4 classes: loss = −Σ_k q_k log p_k with q = 0.9·one-hot + 0.025.
        var logits = Tensor.FromArray(new double[] { 2.0, -1.0, 0.5, 0.0 }, 1, 4);
        double[] z = [2.0, -1.0, 0.5, 0.0];
        double logSum = Math.Log(z.Sum(Math.Exp));
        double expected = -Enumerable.Range(0, 4).Sum(k => ((k == 2 ? 0.9 : 0) + 0.025) * (z[k] - logSum));
        double loss = new CrossEntropy(labelSmoothing: 0.1).Forward(logits, [2]).GetFlat(0);
        Assert.Equal(expected, loss, 10);
    }
}
