using System.Globalization;
using Nabla.Data;
using Nabla.IO;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Models;

/// <summary>The weights shipped in data/pretrained: they load on a fresh clone and reach the accuracy stated for them.</summary>
public class PretrainedTests
{
    /// <summary>The MNIST test accuracy of data/pretrained/mnist.safetensors (10,000 images), as measured when it was exported.</summary>
    public const double MnistAccuracy = 0.9963;

    [Fact]
    public void ShippedMnistWeightsLoadAndReachTheirStatedAccuracy() => CheckShipped("mnist", Mnist.Load().Test, MnistAccuracy);

    /// <summary>The Fashion-MNIST test accuracy of data/pretrained/fashion-mnist.safetensors, as measured when it was exported.</summary>
    public const double FashionAccuracy = 0.9380;

    [Fact]
    public void ShippedFashionWeightsLoadAndReachTheirStatedAccuracyWhereTheDataIs()
    {
        // Fashion-MNIST is not in the repository (Debian's dataset-fashion-mnist): without it, only loading is checked.
        if (FashionMnist.FindFolder() is null) Assert.Equal(64_058, ModelZoo.Pretrained("fashion-mnist").ParameterCount());
        else CheckShipped("fashion-mnist", FashionMnist.Load().Test, FashionAccuracy);
    }

    private static void CheckShipped(string name, TensorDataset test, double accuracy)
    {
        var model = ModelZoo.Pretrained(name);
        Assert.False(model.IsTraining);
        Assert.Equal(64_058, model.ParameterCount());
        var ev = model.Evaluate(test, new CrossEntropy());
        Assert.Equal(10_000, ev.Count);
        Assert.True(ev.Accuracy >= accuracy, $"accuracy {ev.Accuracy:F4} < {accuracy}");
        // The file states the same figure in its metadata, and the architecture JSON beside it describes the same model.
        string path = ModelZoo.PretrainedPath(name);
        var stated = double.Parse(Checkpoint.Read(path).Metadata[ModelZoo.TestAccuracyKey], CultureInfo.InvariantCulture);
        Assert.Equal(stated, ev.Accuracy, 6);
        var spec = ModelSpec.Load(Path.ChangeExtension(path, ".json"));
        Assert.Equal(64_058, spec.Build().ParameterCount());
        Assert.True(new FileInfo(path).Length < 400_000);
    }

    [Fact]
    public void UnknownPretrainedNamesAreRefusedWithTheKnownOnes()
    {
        var e = Assert.Throws<ConfigurationException>(() => ModelZoo.Pretrained("imagenet"));
        Assert.Contains("unknown model 'imagenet'", e.Message);
        Assert.Contains("mnist, fashion-mnist", e.Message);
    }
}
