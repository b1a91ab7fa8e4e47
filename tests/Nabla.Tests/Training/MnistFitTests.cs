using Nabla.Data;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Training;

/// <summary>The lectures' handwritten-digit recognition with the high-level API, on the full bundled MNIST.</summary>
public class MnistFitTests
{
    [Fact]
    public void MlpTrainedWithFitReaches97PercentOnTheTestSet()
    {
        var mnist = Mnist.Load();
        var model = ModelZoo.MLP(generator: new Generator(1)); // its own generator: the shared one is drawn by tests running alongside
        var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));
        trainer.Fit(mnist.Train, epochs: 3, batchSize: 64, seed: 1);
        var test = trainer.Evaluate(mnist.Test);
        Assert.True(test.Accuracy >= 0.97, $"test accuracy {test.Accuracy:P2}");
        Assert.Equal(10_000, test.Count);
    }
}
