using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Export;

/// <summary>
/// Every zoo model and 36 seeded random architectures, exported and run in ONNX Runtime on a batch of 3 (the batch axis
/// is symbolic), agree with Nabla's evaluation-mode output: max |nabla − ort| / max |ort| ≤ 1e-5.
/// </summary>
public class ExportAccuracyTests
{
    public static TheoryData<string> ZooNames => ["mlp", "lenet", "cnn", "resnet", "lstm"];

    public static TheoryData<string, int> RandomCases()
    {
        var data = new TheoryData<string, int>();
        for (int i = 0; i < RandomArchitectures.Count; i++) data.Add(RandomArchitectures.Create(i).Name, i);
        return data;
    }

    /// <summary>The zoo models as the exporter sees them (the row LSTM as <c>nabla train --model lstm</c> builds it).</summary>
    internal static ExportCase Zoo(string name)
    {
        var g = new Generator(7);
        int[] image = [.. ModelZoo.InputShape];
        Module model = name == "lstm" ? ModelZoo.RowLSTM(hidden: 32, generator: g) : ModelZoo.Create(name, g);
        return new ExportCase($"zoo {name}", ExportCase.WithBatchNormState(model, g), image, ExportCase.Normal(image));
    }

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void ZooModelMatchesOnnxRuntime(string name)
    {
        var c = Zoo(name);
        c.Model.Train(); // exported in inference form whatever the mode
        OrtCheck.AssertMatches(c.Name, c.Model, c.Sample, c.Inputs(3, new Generator(11)));
        Assert.True(c.Model.IsTraining);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void RandomArchitectureMatchesOnnxRuntime(string name, int index)
    {
        var c = RandomArchitectures.Create(index);
        Assert.Equal(name, c.Name);
        OrtCheck.AssertMatches(c.Name, c.Model, c.Sample, c.Inputs(3, new Generator(11)));
    }

    [Theory]
    [InlineData(13)]
    [InlineData(15)]
    public void OlderOpsetsMatchOnnxRuntime(int opset)
    {
        foreach (int i in new[] { 0, 1, 2, 3, 4, 5 })
        {
            var c = RandomArchitectures.Create(i);
            OrtCheck.AssertMatches($"opset {opset}, {c.Name}", c.Model, c.Sample, c.Inputs(3, new Generator(11)), opset);
        }
    }
}
