using Nabla.Data.Augmentation;
using Nabla.Diagnostics;
using Nabla.Models;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Models;

public class TrainingRecipeTests
{
    [Fact]
    public void TheZooBuildsBothRecipesWithTheStatedParameterCount()
    {
        foreach (var name in TrainingRecipe.Names)
        {
            Assert.Contains(name, ModelZoo.Names);
            var model = ModelZoo.Create(name, new Generator(1));
            // Convolutions without bias: 9·(1·16 + 16·32 + 32·32 + 32·64) weights, BN γ and β per channel, dense 3,136·10 + 10.
            long convs = 9L * (1 * 16 + 16 * 32 + 32 * 32 + 32 * 64), bn = 2L * (16 + 32 + 32 + 64), dense = 3136L * 10 + 10;
            Assert.Equal(convs + bn + dense, model.ParameterCount());
            Assert.Equal(64_058, model.ParameterCount());
            model.Eval();
            Assert.Equal(new[] { 2, 10 }, model.Forward(Tensor.Randn([2, 1, 28, 28], new Generator(2))).Shape.ToArray());
            Assert.Equal(name, ModelZoo.Spec(name).Name);
        }
        var summary = ModelZoo.CompactBNCNN(generator: new Generator(1)).Summary(1, 1, 28, 28);
        Assert.Equal(64_058, summary.TotalParameters);
    }

    [Fact]
    public void RecipesBundleTheirSettingsAndFlipOnlyClothes()
    {
        var mnist = TrainingRecipe.Find("MNIST-best")!;
        Assert.Same(TrainingRecipe.MnistBest, mnist);
        Assert.Equal("mnist", mnist.Dataset);
        Assert.Equal(("adamw", "warmup-cosine"), (mnist.Optimizer, mnist.Schedule));
        Assert.True(mnist.Epochs > 0 && mnist.WeightDecay > 0);
        Assert.DoesNotContain(mnist.Augmentation(1).Steps, s => s is RandomHorizontalFlip);
        Assert.Contains(mnist.Augmentation(1).Steps, s => s is RandomShift);
        Assert.Contains(mnist.Augmentation(1).Steps, s => s is RandomRotation);
        var fashion = TrainingRecipe.Find("fashion-best")!;
        Assert.Equal("fashion-mnist", fashion.Dataset);
        Assert.Contains(fashion.Augmentation(1).Steps, s => s is RandomHorizontalFlip);
        // The settings the records were measured with (README, bench/results/records-2026-12-07-*).
        Assert.Equal((12, 0.0), (mnist.Epochs, mnist.LabelSmoothing));
        Assert.Equal((22, 0.1, 0.1), (fashion.Epochs, fashion.Dropout, fashion.LabelSmoothing));
        Assert.Equal(0.25, mnist.Dropout);
        Assert.Null(TrainingRecipe.Find("imagenet-best"));
        // Random erasing joins the pipeline, last, only when asked for.
        Assert.DoesNotContain(fashion.Augmentation(1).Steps, s => s is RandomErasing);
        var erasing = (fashion with { EraseProbability = 0.3 }).Augmentation(1).Steps;
        Assert.Equal(0.3, Assert.IsType<RandomErasing>(erasing[^1]).P);
    }
}
