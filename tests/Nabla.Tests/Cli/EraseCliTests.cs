using System.Text.Json;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>`nabla train --erase P` (random erasing): stored in run.json, kept by --resume, refused out of range; recipes carry their own.</summary>
public class EraseCliTests
{
    [Fact]
    public void TheSettingIsSavedAndAResumedRunErasesTheSameRectangles()
    {
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "lenet", "--limit", "256", "--batch-size", "64", "--seed", "4", "--erase", "0.5"];
        Assert.Equal(0, box.Run([.. args, "--epochs", "2", "--out", "straight"]).ExitCode);
        Assert.Equal(0, box.Run([.. args, "--epochs", "1", "--out", "split"]).ExitCode);
        var resumed = box.Run("train", "--resume", "split", "--epochs", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(box["split"], "run.json"))))
        {
            Assert.Equal(0.5, run.RootElement.GetProperty("erase").GetDouble());
            Assert.True(run.RootElement.GetProperty("augment").GetBoolean()); // --erase turns augmentation on
        }
        var a = CliRunner.ModelWeights(box["straight"]);
        var b = CliRunner.ModelWeights(box["split"]);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        // Erasing changed training: the same run with shifts and rotations only ends elsewhere.
        Assert.Equal(0, box.Run("train", "--model", "lenet", "--limit", "256", "--batch-size", "64", "--seed", "4", "--augment", "--epochs", "2", "--out", "plain").ExitCode);
        var plain = CliRunner.ModelWeights(box["plain"]);
        Assert.Contains(a.Keys, k => !a[k].SequenceEqual(plain[k]));
    }

    [Fact]
    public void ARecipeBringsItsOwnErasingAndAFlagOverridesIt()
    {
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "fashion-best", "--dataset", "mnist", "--limit", "256", "--epochs", "1", "--batch-size", "64"];
        Assert.Equal(0, box.Run([.. args, "--out", "recipe"]).ExitCode);
        Assert.Equal(0, box.Run([.. args, "--erase", "0", "--out", "flag"]).ExitCode);
        double? Erase(string run)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(box[run], "run.json")));
            return doc.RootElement.TryGetProperty("erase", out var e) ? e.GetDouble() : null;
        }
        Assert.Null(Erase("recipe")); // the recipe's own value, kept in the recipe
        Assert.Equal(0.0, Erase("flag"));
        var recipe = CliRunner.ModelWeights(box["recipe"]);
        var flag = CliRunner.ModelWeights(box["flag"]);
        Assert.Equal(Nabla.Models.TrainingRecipe.FashionBest.EraseProbability > 0, recipe.Keys.Any(k => !recipe[k].SequenceEqual(flag[k])));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void OutOfRangeValuesAreRefusedInOneLine(string value)
    {
        using var box = new CliSandbox();
        var r = box.Run("train", "--model", "lenet", "--limit", "100", "--erase", value, "--out", "run");
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("nabla: error: ", r.Stderr);
        Assert.Contains("--erase", r.Stderr);
        Assert.False(Directory.Exists(box["run"]));
    }
}
