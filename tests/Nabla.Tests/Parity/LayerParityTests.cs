using System.Text.Json;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Xunit;
using Xunit.Abstractions;
using static Nabla.Tests.Parity.ParityFixture;

namespace Nabla.Tests.Parity;

/// <summary>
/// Layers against PyTorch's modules: Linear, Conv2d (grouped, dilated, strided, padded, rectangular), depthwise
/// separable convolution, max and average pooling, global average pooling, Flatten, Dropout as the identity, PReLU,
/// the activation modules, Embedding, a small CNN as a Sequential, and RNN/LSTM/GRU (stacked, bidirectional,
/// batch-first or time-major, with and without initial states), with PyTorch's weights copied in.
/// </summary>
/// <remarks>
/// Parameters map one to one by name and layout: Nabla uses PyTorch's names (<c>weight</c>, <c>bias</c>,
/// <c>weight_ih_l0_reverse</c>, <c>0.weight</c> in a Sequential) and layouts (Linear [out, in], Conv2d
/// [K, C/groups, KH, KW], recurrent gate blocks in PyTorch's order i, f, g, o for the LSTM and r, z, n for the GRU).
/// The one renaming: PyTorch's depthwise separable convolution is a Sequential of two convolutions, whose
/// <c>0.weight</c>, <c>1.weight</c>, <c>1.bias</c> the fixture stores as Nabla's <c>depthwise.weight</c>,
/// <c>pointwise.weight</c>, <c>pointwise.bias</c>. Every parameter of the Nabla module must appear in the case and
/// the other way round, so a layout or naming change fails here.
/// </remarks>
public class LayerParityTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Layers => Names("layers");

    public static IEnumerable<object[]> Recurrent => Names("recurrent");

    [Theory]
    [MemberData(nameof(Layers))]
    public void LayerMatchesPyTorch(string name) => Replay(Case(name), output);

    [Theory]
    [MemberData(nameof(Recurrent))]
    public void RecurrentLayerMatchesPyTorch(string name) => Replay(Case(name), output);

    private static void Replay(JsonElement c, ITestOutputHelper output)
    {
        var check = new ParityCheck(c, output);
        var args = c.GetProperty("args");
        var module = Build(c.GetProperty("layer").GetString()!, args);
        module.To(DType.Float64);
        var parameters = LoadParameters(module, c.GetProperty("params"));
        var grads = c.GetProperty("grads");
        var inputs = new Dictionary<string, Tensor>();
        foreach (var p in c.GetProperty("inputs").EnumerateObject())
            inputs[p.Name] = ToTensor(p.Value, requiresGrad: grads.TryGetProperty("input." + p.Name, out _));

        var outputs = Forward(module, inputs);
        var expected = c.GetProperty("outputs");
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), outputs.Keys.Order());
        foreach (var p in expected.EnumerateObject()) check.Tensor(p.Name, p.Value, outputs[p.Name]);

        // L = Σ_k <output_k, upstream_k>, as PyTorch's backward(outputs, upstream).
        Tensor? loss = null;
        foreach (var p in c.GetProperty("upstream").EnumerateObject())
        {
            var term = (outputs[p.Name] * ToTensor(p.Value)).Sum();
            loss = loss is null ? term : loss + term;
        }
        loss!.Backward();
        foreach (var p in grads.EnumerateObject())
        {
            var actual = p.Name.StartsWith("input.", StringComparison.Ordinal) ? inputs[p.Name["input.".Length..]].Grad : parameters[p.Name].Grad;
            check.Tensor("d" + p.Name, p.Value, actual);
        }
        check.Verify();
    }

    /// <summary>Copies every parameter from the case (matched by name, both ways) and returns them by name.</summary>
    internal static Dictionary<string, Parameter> LoadParameters(Module module, JsonElement values)
    {
        var named = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(values.EnumerateObject().Select(p => p.Name).Order(), named.Keys.Order());
        foreach (var p in values.EnumerateObject()) named[p.Name].Data.CopyFrom(ToTensor(p.Value));
        return named;
    }

    private static Dictionary<string, Tensor> Forward(Module module, Dictionary<string, Tensor> inputs)
    {
        if (module is LSTM lstm)
        {
            var r = lstm.Run(inputs["x"], inputs.GetValueOrDefault("h0"), inputs.GetValueOrDefault("c0"));
            return new() { ["output"] = r.Output, ["h_n"] = r.Hidden, ["c_n"] = r.Cell! };
        }
        if (module is RecurrentLayer rnn)
        {
            var r = rnn is GRU gru ? gru.Run(inputs["x"], inputs.GetValueOrDefault("h0")) : ((RNN)rnn).Run(inputs["x"], inputs.GetValueOrDefault("h0"));
            return new() { ["output"] = r.Output, ["h_n"] = r.Hidden };
        }
        return new() { ["y"] = module.Forward(inputs.TryGetValue("x", out var x) ? x : inputs["indices"]) };
    }

    // The initial values are overwritten by PyTorch's; an own generator keeps Generator.Default untouched for other tests.
    internal static Generator G() => new(0);

    private static Module Build(string layer, JsonElement a) => layer switch
    {
        "Linear" => new Linear(Int(a, "in"), Int(a, "out"), Bool(a, "bias"), G()),
        "Conv2d" => new Conv2d(Int(a, "in"), Int(a, "out"), Pair(a, "kernel"), Pair(a, "stride"), Pair(a, "padding"),
            Pair(a, "dilation"), Int(a, "groups"), Bool(a, "bias"), G()),
        "DepthwiseSeparableConv2d" => new DepthwiseSeparableConv2d(Int(a, "in"), Int(a, "out"), Pair(a, "kernel"), Pair(a, "stride"),
            Pair(a, "padding"), Int(a, "depth_multiplier"), Bool(a, "bias"), G()),
        "MaxPool2d" => new MaxPool2d(Pair(a, "kernel"), Pair(a, "stride"), Pair(a, "padding")),
        "AvgPool2d" => new AvgPool2d(Pair(a, "kernel"), Pair(a, "stride"), Pair(a, "padding"), Bool(a, "count_include_pad")),
        "GlobalAvgPool2d" => new GlobalAvgPool2d(),
        "Flatten" => new Flatten(Int(a, "start"), Int(a, "end")),
        "Dropout" => new Dropout(Num(a, "p"), G()).Train(Bool(a, "train")),
        "PReLU" => new PReLU(Int(a, "num_parameters")),
        "relu" => new ReLU(),
        "leaky_relu" => new LeakyReLU(Num(a, "alpha")),
        "elu" => new ELU(Num(a, "alpha")),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "gelu" => new GELU(),
        "silu" => new SiLU(),
        "softmax" => new Softmax(Int(a, "axis")),
        "log_softmax" => new LogSoftmax(Int(a, "axis")),
        "Embedding" => new Embedding(Int(a, "num_embeddings"), Int(a, "dim"),
            a.GetProperty("padding_idx").ValueKind == JsonValueKind.Number ? Int(a, "padding_idx") : null, G()),
        "CnnSequential" => new Sequential(new Conv2d(2, 4, 3, padding: 1, bias: false, generator: G()), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 3, 3, generator: G()), new Tanh(), new Flatten(), new Linear(12, 5, generator: G()), new LogSoftmax(1)),
        "RNN" => new RNN(Int(a, "input_size"), Int(a, "hidden_size"), Int(a, "num_layers"),
            a.GetProperty("nonlinearity").GetString() == "relu" ? Nonlinearity.ReLU : Nonlinearity.Tanh,
            Bool(a, "batch_first"), Bool(a, "bidirectional"), generator: G()),
        "LSTM" => new LSTM(Int(a, "input_size"), Int(a, "hidden_size"), Int(a, "num_layers"), Bool(a, "batch_first"), Bool(a, "bidirectional"), generator: G()),
        "GRU" => new GRU(Int(a, "input_size"), Int(a, "hidden_size"), Int(a, "num_layers"), Bool(a, "batch_first"), Bool(a, "bidirectional"), generator: G()),
        _ => throw new NotSupportedException($"parity: layer '{layer}' has no Nabla counterpart in the replay"),
    };
}
