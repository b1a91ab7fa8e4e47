using Nabla.Data;
using Nabla.Losses;
using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;
using Nabla.Onnx.Tests.Support;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Onnx.Tests.Torch;

/// <summary>
/// Models exported by PyTorch's own <c>torch.onnx.export</c> (tests/onnx/export_torch.py: a LeNet, a small ResNet with
/// BatchNormalization, a two-layer LSTM classifier) import into Nabla and give PyTorch's outputs.
/// </summary>
public class TorchFixtureTests
{
    /// <summary>Where the committed fixtures live.</summary>
    public static string FixtureFolder => Path.Combine(Repo.Root, "tests", "Nabla.Onnx.Tests", "Fixtures", "torch");

    [Theory]
    [InlineData("lenet")]
    [InlineData("resnet")]
    [InlineData("lstm")]
    public void ImportedModelGivesPyTorchsOutputs(string name) => AssertMatchesStoredOutputs(Path.Combine(FixtureFolder, name));

    /// <summary>The script itself, run now with the installed PyTorch, exports files that import and match too.</summary>
    [TorchFact]
    public void FreshExportFromTheScriptImportsAndMatches()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-torch-onnx").FullName;
        try
        {
            var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.Python, Path.Combine(Repo.Root, "tests", "onnx", "export_torch.py"), "--out", dir);
            Assert.True(code == 0, stdout + stderr);
            foreach (var name in new[] { "lenet", "resnet", "lstm" })
                AssertMatchesStoredOutputs(Path.Combine(dir, name));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// The PyTorch LeNet (trained there for 40 steps on 2,000 images only, about 60%) is fine-tuned in Nabla for one
    /// epoch over the 60,000 MNIST training images: its test accuracy rises; its parameters are the file's initializers.
    /// </summary>
    [Fact]
    public void ImportedLeNetFineTunesOnMnist()
    {
        Generator.ManualSeed(7);
        var model = Onnx.Load(Path.Combine(FixtureFolder, "lenet", "model.onnx"));
        Assert.Equal(10, model.Parameters().Count());
        Assert.Equal(61_706, model.ParameterCount());
        var mnist = Mnist.Load();
        var test = mnist.Test.Slice(0, 2000);
        var before = model.Evaluate(test, new CrossEntropy()).Accuracy;

        model.Train();
        var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));
        trainer.Fit(mnist.Train, epochs: 1, batchSize: 64);
        var after = model.Evaluate(test, new CrossEntropy()).Accuracy;

        Assert.True(before is > 0.4 and < 0.8, $"the PyTorch LeNet should start weak but better than chance: {before:P1}");
        // PyTorch itself, fine-tuning the same weights the same way (Adam 1e-3, batch 64, one epoch), reaches 96.4% on these
        // 2,000 images (the harder first part of the MNIST test set).
        Assert.True(after > 0.94, $"fine-tuning should raise test accuracy: {before:P1} -> {after:P1}");
    }

    static void AssertMatchesStoredOutputs(string folder)
    {
        var model = Onnx.Load(Path.Combine(folder, "model.onnx"));
        model.Eval();
        var input = ReadTensor(Path.Combine(folder, "test_data_set_0", "input_0.pb"));
        var expected = ReadTensor(Path.Combine(folder, "test_data_set_0", "output_0.pb"));
        var actual = model.Forward(input);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        float[] e = expected.ToArray(), a = actual.ToArray();
        double scale = e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - e[i]));
        Assert.True(worst <= 1e-5 * scale, $"{Path.GetFileName(folder)}: max |nabla - torch| = {worst:G3}, {worst / scale:G3} of max |torch| = {scale:G3}; expected <= 1e-5");
    }

    static Tensor ReadTensor(string path) =>
        TensorProtoData.ToTensor(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), null, path);
}
