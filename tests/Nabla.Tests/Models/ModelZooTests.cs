using Nabla.Diagnostics;
using Nabla.Errors;
using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Models;

public class ModelZooTests
{
    private static long Conv(int f, int c, int k) => (f * f * c + 1L) * k;   // the lectures' (F·F·C + 1)·K
    private static long Dense(int nIn, int nOut) => (nIn + 1L) * nOut;       // (N_in + 1)·N_out

    [Fact]
    public void LeNet5SummaryHasTheTextbookShapesAndCounts()
    {
        var s = ModelZoo.LeNet5(new Generator(1)).Summary(2, 1, 28, 28);
        Assert.Equal(Conv(5, 1, 6) + Conv(5, 6, 16) + Dense(400, 120) + Dense(120, 84) + Dense(84, 10), s.TotalParameters);
        Assert.Equal(61_706, s.TotalParameters);
        Assert.Equal(new Shape?[]
        {
            new(2, 6, 28, 28), new(2, 6, 28, 28), new(2, 6, 14, 14),
            new(2, 16, 10, 10), new(2, 16, 10, 10), new(2, 16, 5, 5),
            new(2, 400), new(2, 120), new(2, 120), new(2, 84), new(2, 84), new(2, 10),
        }, s.Rows.Select(r => r.OutputShape));
        Assert.Equal(new[] { 156L, 0, 0, 2_416, 0, 0, 0, 48_120, 0, 10_164, 0, 850 }, s.Rows.Select(r => r.Parameters));
        // Per image: 28·28 positions × 6 filters × 25 taps, 10·10 × 16 × 150, then the dense layers.
        long perImage = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
        Assert.Equal(2 * perImage, s.TotalMultiplyAccumulates);
        Assert.Equal("Conv2d(1 → 6, 5x5, pad 2)", s.Rows[0].Description);
    }

    [Fact]
    public void CnnSummaryHas1199882Parameters()
    {
        var s = ModelZoo.CNN(generator: new Generator(1)).Summary(1, 1, 28, 28);
        Assert.Equal(Conv(3, 1, 32) + Conv(3, 32, 64) + Dense(64 * 12 * 12, 128) + Dense(128, 10), s.TotalParameters);
        Assert.Equal(1_199_882, s.TotalParameters);
        var shapes = s.Rows.Select(r => r.OutputShape).ToList();
        Assert.Equal(new Shape(1, 32, 26, 26), shapes[0]);
        Assert.Equal(new Shape(1, 64, 24, 24), shapes[2]);
        Assert.Equal(new Shape(1, 64, 12, 12), shapes[4]);
        Assert.Equal(new Shape(1, 9216), shapes[6]);
        Assert.Equal(new Shape(1, 10), s.OutputShape);
        var dropouts = s.Rows.Where(r => r.Module is Dropout).Select(r => ((Dropout)r.Module).P);
        Assert.Equal(new[] { 0.25, 0.5 }, dropouts);
        Assert.Equal(new[] { 0.1, 0.3 }, ModelZoo.CNN(0.1, 0.3).Layers.OfType<Dropout>().Select(d => d.P));
    }

    [Fact]
    public void MlpFlattensItselfAndIsConfigurable()
    {
        var s = ModelZoo.MLP(generator: new Generator(1)).Summary(3, 1, 28, 28);
        Assert.Equal(Dense(784, 256) + Dense(256, 128) + Dense(128, 10), s.TotalParameters);
        Assert.Equal(new Shape(3, 10), s.OutputShape);
        Assert.DoesNotContain(s.Rows, r => r.Module is Dropout);

        var custom = ModelZoo.MLP([100, 50, 20], dropout: 0.2, generator: new Generator(2));
        Assert.Equal(Dense(784, 100) + Dense(100, 50) + Dense(50, 20) + Dense(20, 10), custom.ParameterCount());
        Assert.Equal(3, custom.Layers.OfType<Dropout>().Count(d => d.P == 0.2));
        Assert.Equal(new Shape(2, 10), custom.Forward(Tensor.Zeros([2, 1, 28, 28])).Shape);
    }

    [Fact]
    public void ResNetRunsForwardAndBackward()
    {
        var model = ModelZoo.ResNet(generator: new Generator(3));
        var s = model.Summary(2, 1, 28, 28);
        long stem = 9 * 16 + 2 * 16;
        long block1 = 2 * (9 * 16 * 16 + 2 * 16);
        long block2 = 9 * 16 * 32 + 9 * 32 * 32 + 16 * 32 + 3 * 2 * 32;
        long block3 = 9 * 32 * 64 + 9 * 64 * 64 + 32 * 64 + 3 * 2 * 64;
        Assert.Equal(stem + block1 + block2 + block3 + Dense(64, 10), s.TotalParameters);
        Assert.Equal(77_754, s.TotalParameters);
        var blocks = s.Rows.Where(r => r.Depth == 1 && r.Module is Residual).Select(r => r.OutputShape).ToList();
        Assert.Equal(new Shape?[] { new(2, 16, 28, 28), new(2, 32, 14, 14), new(2, 64, 7, 7) }, blocks);
        Assert.Equal(new Shape(2, 64), s.Rows.Single(r => r.Module is GlobalAvgPool2d).OutputShape);

        var x = Tensor.Uniform([4, 1, 28, 28], 0, 1, new Generator(4));
        var y = model.Forward(x);
        Assert.Equal(new Shape(4, 10), y.Shape);
        y.Square().Mean().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient");
            Assert.All(p.Grad!.ToDoubleArray(), g => Assert.True(double.IsFinite(g), $"{name} has a non-finite gradient"));
        }
        Assert.Contains(model.NamedParameters(), p => p.Name == "5.shortcut.0.weight");
        Assert.Contains(model.NamedParameters().Single(p => p.Name == "0.weight").Parameter.Grad!.ToDoubleArray(), g => g != 0);
    }

    [Theory]
    [InlineData(2, 3, 2)]   // projection shortcut: channels and resolution change
    [InlineData(2, 2, 1)]   // identity shortcut
    public void ResidualBlockGradientsMatchCentralDifferences(int inChannels, int outChannels, int stride)
    {
        var block = ModelZoo.BasicBlock(inChannels, outChannels, stride, new Generator(5));
        block.To(DType.Float64);
        Assert.Equal(stride != 1 || inChannels != outChannels, block.Shortcut is not null);
        var x = Rand64([3, inChannels, 5, 5], 6);
        var parameters = block.Parameters().Select(p => p.Data);
        AssertGradients(() => block.Forward(x), [x, .. parameters]);
    }

    [Fact]
    public void SeededInitializationIsReproducible()
    {
        foreach (var name in ModelZoo.Names)
        {
            var a = ModelZoo.Create(name, new Generator(42)).Parameters().Select(p => p.Data.ToDoubleArray()).ToList();
            var b = ModelZoo.Create(name, new Generator(42)).Parameters().Select(p => p.Data.ToDoubleArray()).ToList();
            var c = ModelZoo.Create(name, new Generator(43)).Parameters().First().Data.ToDoubleArray();
            Assert.Equal(a, b);
            Assert.NotEqual(a[0], c);
        }
        Assert.Contains("known models: mlp, lenet, cnn, resnet", Assert.Throws<ConfigurationException>(() => ModelZoo.Create("vgg")).Message);
    }

    [Fact]
    public void ZooModelsSizeThemselvesForOtherImagesAndClassCounts()
    {
        var x = Tensor.Randn([2, 3, 32, 40], new Generator(1));
        Assert.Equal(new[] { 2, 5 }, ModelZoo.LeNet5(new Generator(1), classes: 5, channels: 3, height: 32, width: 40).Forward(x).Shape.ToArray());
        Assert.Equal(new[] { 2, 5 }, ModelZoo.CNN(generator: new Generator(1), classes: 5, channels: 3, height: 32, width: 40).Forward(x).Shape.ToArray());
        Assert.Equal(new[] { 2, 5 }, ModelZoo.ResNet(generator: new Generator(1), classes: 5, inputChannels: 3).Forward(x).Shape.ToArray());
        Assert.Equal(new[] { 2, 5 }, ModelZoo.MLP(generator: new Generator(1), inputs: 3 * 32 * 40, classes: 5).Forward(x).Shape.ToArray());
        Assert.Equal(new[] { 2, 5 }, ModelZoo.RowLSTM(16, new Generator(1), classes: 5, width: 40).Forward(x).Shape.ToArray());
        // LeNet's first dense layer: 16·((32/2 − 4)/2)·((40/2 − 4)/2) = 16·6·8 inputs.
        Assert.Equal(16 * 6 * 8 * 120, ModelZoo.LeNet5(new Generator(1), 5, 3, 32, 40).Parameters().Skip(4).First().Numel);
        // The defaults are the MNIST models, weight for weight.
        Assert.Equal(ModelZoo.LeNet5(new Generator(7)).Parameters().Select(p => p.Data.ToDoubleArray()), ModelZoo.LeNet5(new Generator(7), 10, 1, 28, 28).Parameters().Select(p => p.Data.ToDoubleArray()));
        Assert.Contains("LeNet5: images of at least 12x12 expected, got 10x28", Assert.Throws<ValueException>(() => ModelZoo.LeNet5(null, 10, 1, 10, 28)).Message);
        Assert.Contains("CNN: classes must be positive, got 0", Assert.Throws<ValueException>(() => ModelZoo.CNN(classes: 0)).Message);
    }
}
