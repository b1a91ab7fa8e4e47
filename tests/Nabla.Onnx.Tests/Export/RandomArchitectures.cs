using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Models;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;
using Nabla.Tensors;

namespace Nabla.Onnx.Tests.Export;

/// <summary>
/// Seeded random architectures over every exportable layer: image stacks (convolutions with stride, padding, dilation
/// and groups, separable convolutions, pools with ceil mode and padding, batch norm, residual blocks with and without
/// projection, adaptive pooling), feature stacks (Linear, Maxout, BatchNorm1d, residual MLP blocks, softmax) and
/// sequence stacks (Embedding, RNN/LSTM/GRU bidirectional and stacked, time-major, Linear on sequences, SequenceHead).
/// Each layer is kept only if the stack so far accepts it, so every case is a valid model.
/// </summary>
internal static class RandomArchitectures
{
    public const int Count = 36;

    public static ExportCase Create(int index)
    {
        var g = new Generator(1000 + (ulong)index);
        var (model, sample, inputs) = (index % 3) switch
        {
            0 => Image(g),
            1 => Features(g),
            _ => Sequence(g),
        };
        string family = (index % 3) switch { 0 => "image", 1 => "features", _ => "sequence" };
        string layers = string.Join(" > ", model.Layers.Select(l => l is Residual r ? $"Residual[{Describe(r.Body)}{(r.Shortcut is null ? "" : " | " + Describe(r.Shortcut))}]" : l.Describe()));
        ExportCase.WithBatchNormState(model, g);
        return new ExportCase($"random {index:00} ({family}, input [{string.Join(",", sample)}]): {layers}", model, sample, inputs);
    }

    private static string Describe(Module m) => m is Sequential s ? string.Join(" > ", s.Layers.Select(l => l.Describe())) : m.Describe();

    /// <summary>Appends <paramref name="layer"/> if the stack accepts it; returns the new sample shape, or null.</summary>
    private static int[]? TryAdd(Sequential model, Module layer, int[] sample)
    {
        layer.Eval();
        try
        {
            using (GradMode.NoGrad())
            {
                var y = layer.Forward(Tensor.Zeros([2, .. sample]));
                if (y.Shape.ToArray().Skip(1).Any(d => d <= 0)) return null;
                model.Add(layer);
                return y.Shape.ToArray()[1..];
            }
        }
        catch (NablaException) { return null; }
    }

    private static Module Activation(Generator g, int channels) => g.NextInt(11) switch
    {
        0 => new ReLU(),
        1 => new LeakyReLU(0.1),
        2 => new PReLU(g.NextInt(2) == 0 ? 1 : channels, 0.2),
        3 => new ELU(0.7),
        4 => new Sigmoid(),
        5 => new Tanh(),
        6 => new GELU(),
        7 => new GELU(GELUApproximation.Tanh),
        8 => new SiLU(),
        9 => new Identity(),
        _ => new Dropout(0.3),
    };

    private static (Sequential, int[], Func<int, Generator, Tensor>) Image(Generator g)
    {
        int[] sample = [1 + g.NextInt(3), 8 + g.NextInt(5), 8 + g.NextInt(5)];
        var model = new Sequential();
        var shape = sample;
        for (int block = 0, tries = 0; block < 4 && tries < 40; tries++)
        {
            int c = shape[0], k = 1 + g.NextInt(3);
            Module layer = g.NextInt(9) switch
            {
                0 => new Conv2d(c, 2 + g.NextInt(5), k, stride: 1 + g.NextInt(2), padding: g.NextInt(2), dilation: 1 + g.NextInt(2), generator: g),
                1 => new Conv2d(c, c * (1 + g.NextInt(2)), 3, padding: 1, groups: c, bias: g.NextInt(2) == 0, generator: g),
                2 => new DepthwiseSeparableConv2d(c, 2 + g.NextInt(4), 3, stride: 1 + g.NextInt(2), padding: 1, depthMultiplier: 1 + g.NextInt(2), generator: g),
                3 => new MaxPool2d(2 + g.NextInt(2), stride: 1 + g.NextInt(2), padding: g.NextInt(2), ceilMode: g.NextInt(2) == 0),
                4 => new AvgPool2d(2 + g.NextInt(2), stride: 1 + g.NextInt(2), padding: g.NextInt(2), countIncludePad: g.NextInt(2) == 0, ceilMode: g.NextInt(2) == 0),
                5 => new Sequential(new BatchNorm2d(c, affine: g.NextInt(4) != 0), Activation(g, c)),
                6 => g.NextInt(2) == 0 ? ModelZoo.BasicBlock(c, c, 1, g) : ModelZoo.BasicBlock(c, c + 2, 2, g),
                7 => new AdaptiveAvgPool2d(shape[1] % 2 == 0 && shape[2] % 2 == 0 ? (shape[1] / 2, shape[2] / 2) : 1),
                _ => Activation(g, c),
            };
            if (TryAdd(model, layer, shape) is { } next) { shape = next; block++; }
        }
        shape = g.NextInt(2) == 0 ? TryAdd(model, new GlobalAvgPool2d(), shape)! : TryAdd(model, new Flatten(), shape)!;
        FeatureTail(model, shape[0], g);
        return (model, sample, ExportCase.Normal(sample));
    }

    private static (Sequential, int[], Func<int, Generator, Tensor>) Features(Generator g)
    {
        int f = 3 + g.NextInt(8);
        int[] sample = [f];
        var model = new Sequential();
        for (int block = 0; block < 1 + g.NextInt(4); block++)
        {
            int w = f;
            Module layer = g.NextInt(5) switch
            {
                0 => new Linear(f, w = 3 + g.NextInt(8), bias: g.NextInt(4) != 0, generator: g),
                1 => new Maxout(f, w = 3 + g.NextInt(6), 2 + g.NextInt(2), g),
                2 => new BatchNorm1d(f, affine: g.NextInt(4) != 0),
                3 => new Residual(new Sequential(new Linear(f, f, generator: g), Activation(g, f))),
                _ => Activation(g, f),
            };
            TryAdd(model, layer, [f]);
            f = w;
        }
        FeatureTail(model, f, g);
        return (model, sample, ExportCase.Normal(sample));
    }

    /// <summary>A dense ending: optionally a hidden layer with an activation, then 2–5 outputs, sometimes a softmax, log-softmax or sigmoid.</summary>
    private static void FeatureTail(Sequential model, int f, Generator g)
    {
        if (g.NextInt(2) == 0)
        {
            int w = 4 + g.NextInt(6);
            model.Add(new Linear(f, w, generator: g)).Add(new BatchNorm1d(w)).Add(Activation(g, w));
            f = w;
        }
        model.Add(new Linear(f, 2 + g.NextInt(4), generator: g));
        switch (g.NextInt(4))
        {
            case 0: model.Add(new Softmax()); break;
            case 1: model.Add(new LogSoftmax(1)); break;
            case 2: model.Add(new Sigmoid()); break;
        }
    }

    private static (Sequential, int[], Func<int, Generator, Tensor>) Sequence(Generator g)
    {
        int steps = 3 + g.NextInt(4), f = 2 + g.NextInt(4);
        var model = new Sequential();
        int[] sample;
        Func<int, Generator, Tensor> inputs;
        if (g.NextInt(3) == 0)
        {
            int vocabulary = 5 + g.NextInt(10);
            sample = [steps];
            inputs = ExportCase.Tokens(sample, vocabulary);
            model.Add(new Embedding(vocabulary, f, paddingIndex: g.NextInt(2) == 0 ? 0 : null, generator: g));
        }
        else
        {
            sample = [steps, f];
            inputs = ExportCase.Normal(sample);
        }
        bool timeMajor = g.NextInt(6) == 0;
        for (int block = 0; block < 1 + g.NextInt(2); block++)
        {
            int h = 2 + g.NextInt(4), layers = 1 + g.NextInt(2);
            bool bi = g.NextInt(2) == 0;
            RecurrentLayer rnn = g.NextInt(4) switch
            {
                0 => new RNN(f, h, layers, g.NextInt(2) == 0 ? Nonlinearity.Tanh : Nonlinearity.ReLU, !timeMajor, bi, generator: g),
                1 => new GRU(f, h, layers, !timeMajor, bi, generator: g),
                _ => new LSTM(f, h, layers, !timeMajor, bi, generator: g),
            };
            model.Add(rnn);
            f = h * rnn.NumDirections;
            if (g.NextInt(3) == 0) { int w = 2 + g.NextInt(4); model.Add(new Linear(f, w, generator: g)).Add(Activation(g, 1)); f = w; }
        }
        if (timeMajor || g.NextInt(4) != 0)
            model.Add(new SequenceHead(f, 2 + g.NextInt(3), (SequencePooling)g.NextInt(3), batchFirst: !timeMajor, generator: g));
        return (model, sample, inputs);
    }
}
