using System.Text.Json;
using Nabla.Models;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.IO.Torch;

/// <summary>
/// The Nabla twins of the PyTorch modules in tests/torch/make_weights.py (same Sequential indices and names), and the
/// fixtures that script wrote.
/// </summary>
public static class TorchModels
{
    public static readonly string[] Names = ["mlp", "mlp64", "lenet", "resnet", "lstm", "lstm64", "seq"];

    public static string Fixture(string file) => Path.Combine(Parity.ParityFixture.RepoRoot(), "tests", "Nabla.Tests", "IO", "Torch", "Fixtures", file);

    public static Module Build(string name, ulong seed = 1)
    {
        var g = new Generator(seed);
        Module m = name switch
        {
            "mlp" or "mlp64" => new Sequential(new Flatten(), new Linear(20, 16, generator: g), new BatchNorm1d(16), new PReLU(16),
                new Linear(16, 8, generator: g), new ReLU(), new Linear(8, 4, generator: g)),
            "lenet" => ModelZoo.LeNet5(g, classes: 10, channels: 1, height: 12, width: 12),
            "resnet" => ModelZoo.ResNet([4, 8], generator: g, classes: 3, inputChannels: 1),
            "lstm" or "lstm64" => new Sequential(new LSTM(5, 6, numLayers: 2, bidirectional: true, generator: g), new SequenceHead(12, 3, generator: g)),
            "seq" => new Sequential(new Embedding(12, 5, generator: g), new GRU(5, 6, bidirectional: true, generator: g),
                new RNN(12, 4, nonlinearity: Nonlinearity.ReLU, generator: g), new SequenceHead(4, 3, generator: g)),
            _ => throw new ArgumentException(name),
        };
        if (name.EndsWith("64", StringComparison.Ordinal)) m.To(DType.Float64);
        m.Eval();
        return m;
    }

    public static bool IsFloat64(string name) => name.EndsWith("64", StringComparison.Ordinal);

    /// <summary>A tensor stored as {"shape": [...], "data": [...]} by make_weights.py.</summary>
    public static Tensor Read(JsonElement e, DType dtype)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var t = Tensor.Wrap(data, shape.Length == 0 ? [] : shape).Reshape(shape);
        return dtype == DType.Float64 ? t : t.ToDType(dtype);
    }

    /// <summary>The fixture's input and PyTorch's output.</summary>
    public static (Tensor Input, Tensor Output, string[] Keys) Case(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixture(name + ".json")));
        var dtype = IsFloat64(name) ? DType.Float64 : DType.Float32;
        var r = doc.RootElement;
        return (Read(r.GetProperty("input"), dtype), Read(r.GetProperty("output"), dtype),
            r.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray());
    }

    public static double MaxDifference(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        var x = a.ToDoubleArray();
        var y = b.ToDoubleArray();
        return x.Zip(y, (p, q) => Math.Abs(p - q)).DefaultIfEmpty(0).Max();
    }
}
