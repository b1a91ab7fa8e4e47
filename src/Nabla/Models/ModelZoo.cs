using Nabla.Errors;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;
using Nabla.Tensors;

namespace Nabla.Models;

/// <summary>
/// Ready-made image classifiers, by default for 28×28 grayscale images with 10 classes (MNIST, Fashion-MNIST): every
/// model takes [N, 1, 28, 28] and returns [N, 10] logits; the optional <c>classes</c>, <c>channels</c>, <c>height</c> and
/// <c>width</c> arguments size the same architectures for other images (an image folder of colour photos, for instance). Each is a plain <see cref="Sequential"/>, so <see cref="Spec"/> describes it as architecture
/// JSON and checkpoints can rebuild it. Weights are drawn from the given generator (default
/// <see cref="Generator.Default"/>); pass <c>new Generator(seed)</c> for a reproducible initialization.
/// </summary>
public static partial class ModelZoo
{
    /// <summary>The shape of one input sample: [1, 28, 28].</summary>
    public static IReadOnlyList<int> InputShape { get; } = [1, 28, 28];

    /// <summary>
    /// The names <see cref="Create"/> and <see cref="Spec"/> accept: mlp, lenet, cnn, resnet, bncnn, and the models of the
    /// training recipes (<see cref="TrainingRecipe.Names"/>: mnist-best, fashion-best).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["mlp", "lenet", "cnn", "resnet", "bncnn", .. TrainingRecipe.Names];

    /// <summary>
    /// A multilayer perceptron: flatten, then dense layers with ReLU (and dropout after each hidden layer when
    /// <paramref name="dropout"/> &gt; 0), then <paramref name="classes"/> outputs. By default 784-256-128-10: 235,146 parameters.
    /// </summary>
    /// <param name="hidden">The hidden layer widths (default [256, 128]).</param>
    /// <param name="dropout">The dropout rate after each hidden layer (0: none).</param>
    /// <param name="generator">The source of the initial weights (default <see cref="Generator.Default"/>).</param>
    /// <param name="inputs">The number of input features (after flattening; default 784 = 28·28).</param>
    /// <param name="classes">The number of outputs (default 10).</param>
    public static Sequential MLP(int[]? hidden = null, double dropout = 0, Generator? generator = null, int inputs = 28 * 28, int classes = 10)
    {
        hidden ??= [256, 128];
        CheckDropout(dropout, "MLP");
        CheckPositive("MLP", (inputs, "inputs"), (classes, "classes"));
        var model = new Sequential(new Flatten());
        int width = inputs;
        foreach (int h in hidden)
        {
            model.Add(new Linear(width, h, generator: generator)).Add(new ReLU());
            if (dropout > 0) model.Add(new Dropout(dropout, generator));
            width = h;
        }
        return model.Add(new Linear(width, classes, generator: generator));
    }

    /// <summary>
    /// An LSTM reading each 28×28 image row by row (28 steps of 28 pixels): [N,1,28,28] → flatten axes 1–2 → LSTM(28 → hidden)
    /// → the last hidden state → dense to 10 classes. The many-to-one recurrent model of <c>nabla train --model lstm</c>.
    /// Other images [N, C, H, W] are read as C·H rows of <paramref name="width"/> pixels into <paramref name="classes"/> outputs.
    /// </summary>
    public static Sequential RowLSTM(int hidden = 128, Generator? generator = null, int classes = 10, int width = 28)
    {
        CheckPositive("RowLSTM", (hidden, "hidden"), (classes, "classes"), (width, "width"));
        return new(
            new Flatten(1, 2),
            new LSTM(width, hidden, generator: generator),
            new SequenceHead(hidden, classes, generator: generator));
    }

    /// <summary>
    /// LeNet-5 with ReLU and max pooling: conv 5×5 1→6 (padding 2) → pool 2 → conv 5×5 6→16 → pool 2 → flatten →
    /// dense 400-120-84-10. Feature maps [N,6,28,28], [N,6,14,14], [N,16,10,10], [N,16,5,5], [N,400]; 61,706 parameters.
    /// For other inputs [N, C, H, W] (H, W ≥ 12) the first dense layer takes 16·((H/2 − 4)/2)·((W/2 − 4)/2) features.
    /// </summary>
    public static Sequential LeNet5(Generator? generator = null, int classes = 10, int channels = 1, int height = 28, int width = 28)
    {
        CheckPositive("LeNet5", (classes, "classes"), (channels, "channels"));
        int h = (height / 2 - 4) / 2, w = (width / 2 - 4) / 2;
        if (h < 1 || w < 1) throw new ValueException($"LeNet5: images of at least 12x12 expected, got {height}x{width}");
        return new(
            new Conv2d(channels, 6, 5, padding: 2, generator: generator), new ReLU(), new MaxPool2d(2),
            new Conv2d(6, 16, 5, generator: generator), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(16 * h * w, 120, generator: generator), new ReLU(),
            new Linear(120, 84, generator: generator), new ReLU(),
            new Linear(84, classes, generator: generator));
    }

    /// <summary>
    /// The classic Keras MNIST convnet: conv 3×3 32 → conv 3×3 64 → max pool 2 → dropout → flatten → dense 128 →
    /// dropout → dense 10, ReLU after each hidden layer. 1,199,882 parameters (most in the 9,216→128 dense layer).
    /// For other inputs [N, C, H, W] (H, W ≥ 6) the dense layer takes 64·((H − 4)/2)·((W − 4)/2) features.
    /// </summary>
    public static Sequential CNN(double convDropout = 0.25, double denseDropout = 0.5, Generator? generator = null,
        int classes = 10, int channels = 1, int height = 28, int width = 28)
    {
        CheckDropout(convDropout, "CNN");
        CheckDropout(denseDropout, "CNN");
        CheckPositive("CNN", (classes, "classes"), (channels, "channels"));
        int h = (height - 4) / 2, w = (width - 4) / 2;
        if (h < 1 || w < 1) throw new ValueException($"CNN: images of at least 6x6 expected, got {height}x{width}");
        return new Sequential(
            new Conv2d(channels, 32, 3, generator: generator), new ReLU(),
            new Conv2d(32, 64, 3, generator: generator), new ReLU(),
            new MaxPool2d(2), new Dropout(convDropout, generator),
            new Flatten(),
            new Linear(64 * h * w, 128, generator: generator), new ReLU(), new Dropout(denseDropout, generator),
            new Linear(128, classes, generator: generator));
    }

    /// <summary>
    /// A compact convolutional network with batch normalization, the model of the accuracy recipes
    /// (<see cref="TrainingRecipe"/>): two blocks of two 3×3 convolutions (padding 1, no bias, each followed by BN and ReLU)
    /// with 2×2 max pooling after each block, then flatten, dropout and one dense layer. With the default widths
    /// [16, 32, 32, 64] on 28×28 images: maps [N,16,28,28], [N,32,28,28], pool [N,32,14,14], [N,32,14,14], [N,64,14,14],
    /// pool [N,64,7,7], 3,136 features; 64,058 parameters and about 9.1M multiply-accumulates per image.
    /// </summary>
    /// <param name="widths">The output channels of the four convolutions (default [16, 32, 32, 64]).</param>
    /// <param name="dropout">The dropout rate before the dense layer.</param>
    /// <param name="generator">The source of the initial weights (default <see cref="Generator.Default"/>).</param>
    /// <param name="classes">The number of outputs (default 10).</param>
    /// <param name="channels">The channels of the input images (default 1).</param>
    /// <param name="height">The input height (at least 4).</param>
    /// <param name="width">The input width (at least 4).</param>
    public static Sequential CompactBNCNN(int[]? widths = null, double dropout = 0.25, Generator? generator = null,
        int classes = 10, int channels = 1, int height = 28, int width = 28)
    {
        widths ??= [16, 32, 32, 64];
        CheckDropout(dropout, "CompactBNCNN");
        CheckPositive("CompactBNCNN", (classes, "classes"), (channels, "channels"));
        if (widths.Length != 4 || widths.Any(c => c <= 0))
            throw new ValueException($"CompactBNCNN: four positive widths expected, got [{string.Join(", ", widths)}]");
        int h = height / 4, w = width / 4;
        if (h < 1 || w < 1) throw new ValueException($"CompactBNCNN: images of at least 4x4 expected, got {height}x{width}");
        var model = new Sequential();
        int inputs = channels;
        for (int i = 0; i < 4; i++)
        {
            model.Add(new Conv2d(inputs, widths[i], 3, padding: 1, bias: false, generator: generator))
                .Add(new BatchNorm2d(widths[i])).Add(new ReLU());
            if (i % 2 == 1) model.Add(new MaxPool2d(2));
            inputs = widths[i];
        }
        return model.Add(new Flatten()).Add(new Dropout(dropout, generator))
            .Add(new Linear(inputs * h * w, classes, generator: generator));
    }

    /// <summary>
    /// A small residual network with batch normalization: a 3×3 stem to <c>channels[0]</c> with BN and ReLU, then one
    /// stage per entry of <paramref name="channels"/> with <paramref name="blocksPerStage"/> basic blocks
    /// (conv 3×3-BN-ReLU-conv 3×3-BN plus shortcut, then ReLU). Every stage after the first halves the resolution with a
    /// stride-2 first block, whose shortcut is a strided 1×1 convolution with BN. Then global average pooling and a dense
    /// layer to 10. The default [16, 32, 64] with one block per stage has 77,754 parameters and about 9.3M MACs per image.
    /// </summary>
    /// <param name="channels">The width of each stage (default [16, 32, 64]).</param>
    /// <param name="blocksPerStage">Basic blocks per stage.</param>
    /// <param name="generator">The source of the initial weights (default <see cref="Generator.Default"/>).</param>
    /// <param name="classes">The number of outputs (default 10).</param>
    /// <param name="inputChannels">The channels of the input images (default 1; any size works thanks to global pooling).</param>
    public static Sequential ResNet(int[]? channels = null, int blocksPerStage = 1, Generator? generator = null, int classes = 10, int inputChannels = 1)
    {
        CheckPositive("ResNet", (classes, "classes"), (inputChannels, "inputChannels"));
        channels ??= [16, 32, 64];
        if (channels.Length == 0 || channels.Any(c => c <= 0) || blocksPerStage <= 0)
            throw new ValueException($"ResNet: channels must be positive (got [{string.Join(", ", channels)}]) and blocksPerStage ≥ 1 (got {blocksPerStage})");
        var model = new Sequential(
            new Conv2d(inputChannels, channels[0], 3, padding: 1, bias: false, generator: generator), new BatchNorm2d(channels[0]), new ReLU());
        int width = channels[0];
        for (int stage = 0; stage < channels.Length; stage++)
            for (int block = 0; block < blocksPerStage; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                model.Add(BasicBlock(width, channels[stage], stride, generator)).Add(new ReLU());
                width = channels[stage];
            }
        return model.Add(new GlobalAvgPool2d()).Add(new Linear(width, classes, generator: generator));
    }

    /// <summary>
    /// The residual block of <see cref="ResNet"/> without its final ReLU: conv 3×3 (stride) → BN → ReLU → conv 3×3 → BN,
    /// added to the input, or to a strided 1×1 convolution with BN of it when channels or resolution change.
    /// </summary>
    public static Residual BasicBlock(int inChannels, int outChannels, int stride = 1, Generator? generator = null)
    {
        var body = new Sequential(
            new Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels), new ReLU(),
            new Conv2d(outChannels, outChannels, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels));
        if (stride == 1 && inChannels == outChannels) return new Residual(body);
        var shortcut = new Sequential(
            new Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, generator: generator),
            new BatchNorm2d(outChannels));
        return new Residual(body, shortcut);
    }

    /// <summary>The zoo model called <paramref name="name"/> (see <see cref="Names"/>) with its default settings.</summary>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    public static Sequential Create(string name, Generator? generator = null) => name.ToLowerInvariant() switch
    {
        "mlp" => MLP(generator: generator),
        "lenet" => LeNet5(generator),
        "cnn" => CNN(generator: generator),
        "resnet" => ResNet(generator: generator),
        "bncnn" => CompactBNCNN(generator: generator),
        var r when TrainingRecipe.Find(r) is { } recipe => recipe.Build(generator),
        _ => throw new ConfigurationException($"model zoo: unknown model '{name}'; known models: {string.Join(", ", Names)}"),
    };

    /// <summary>The architecture description of the zoo model <paramref name="name"/>, with input [1, 28, 28].</summary>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    public static ModelSpec Spec(string name)
    {
        // A private generator: describing a model must not advance the default one.
        var model = Create(name, new Generator(0));
        return ModelSpec.FromModule(model, InputShape, name.ToLowerInvariant());
    }

    private static void CheckDropout(double p, string model)
    {
        if (!(p >= 0 && p < 1)) throw new ValueException($"{model}: the dropout rate must be in [0, 1), got {p}");
    }

    private static void CheckPositive(string model, params (int Value, string Name)[] values)
    {
        foreach (var (v, name) in values)
            if (v <= 0) throw new ValueException($"{model}: {name} must be positive, got {v}");
    }
}
