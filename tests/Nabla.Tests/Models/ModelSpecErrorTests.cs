using Nabla.Models;
using Xunit;

namespace Nabla.Tests.Models;

/// <summary>Strict validation: every mistake is a <see cref="ConfigurationException"/> naming source, layer and field.</summary>
public class ModelSpecErrorTests
{
    private static string Error(string json, string source = "arch.json")
        => Assert.Throws<ConfigurationException>(() => ModelSpec.Parse(json, source)).Message;

    private static string Layers(string layers) => $$"""{"input": [1, 28, 28], "layers": [{{layers}}]}""";

    private const string Conv = """{"type": "conv2d", "in": 1, "out": 6, "kernel": 5}""";

    [Fact]
    public void UnknownLayerType()
    {
        string m = Error(Layers($$"""{{Conv}}, {"type": "conv3d", "in": 6}"""));
        Assert.StartsWith("arch.json: layer 1: unknown layer type 'conv3d'; known types: linear, conv2d, ", m);
        Assert.StartsWith("arch.json: layer 0: unknown layer type 'ReLU'", Error(Layers("""{"type": "ReLU"}""")));
    }

    [Fact]
    public void UnknownField()
    {
        string m = Error(Layers($$"""{{Conv}}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "conv2d", "in": 6, "out": 16, "kernal": 5}"""));
        Assert.StartsWith("arch.json: layer 3 (conv2d): unknown field 'kernal'; conv2d accepts in, out, kernel, stride?, padding?", m);
        Assert.Equal("arch.json: layer 0 (relu): unknown field 'inplace'; relu accepts no fields besides 'type'",
            Error(Layers("""{"type": "relu", "inplace": true}""")));
        Assert.StartsWith("arch.json: unknown top-level field 'optimizer'", Error("""{"layers": [], "optimizer": "adam"}"""));
    }

    [Fact]
    public void MissingField()
    {
        Assert.Equal("arch.json: layer 0 (conv2d): missing required field 'kernel' (a positive integer or [height, width] of positive integers)",
            Error(Layers("""{"type": "conv2d", "in": 1, "out": 6}""")));
        Assert.Equal("arch.json: layer 1 (linear): missing required field 'in' (a positive integer)",
            Error(Layers("""{"type": "flatten"}, {"type": "linear", "out": 10}""")));
        Assert.Equal("arch.json: layer 0: missing required field 'type'", Error(Layers("""{"in": 1}""")));
        Assert.Equal("arch.json: missing required field 'layers'", Error("""{"input": [1, 28, 28]}"""));
        Assert.Equal("arch.json: layer 0 (residual): missing required field 'layers' (a list of layer objects)", Error(Layers("""{"type": "residual"}""")));
    }

    [Theory]
    [InlineData("""{"type": "dropout", "p": "half"}""", "layer 0 (dropout): field 'p' must be a number in [0, 1], got \"half\"")]
    [InlineData("""{"type": "dropout", "p": 1.5}""", "layer 0 (dropout): field 'p' must be a number in [0, 1], got 1.5")]
    [InlineData("""{"type": "conv2d", "in": 1, "out": 6, "kernel": "five"}""", "layer 0 (conv2d): field 'kernel' must be a positive integer or [height, width] of positive integers, got \"five\"")]
    [InlineData("""{"type": "conv2d", "in": 1, "out": 6, "kernel": [3, 3, 3]}""", "field 'kernel' must be a positive integer or [height, width] of positive integers, got [3, 3, 3]")]
    [InlineData("""{"type": "conv2d", "in": 1.5, "out": 6, "kernel": 3}""", "layer 0 (conv2d): field 'in' must be a positive integer, got 1.5")]
    [InlineData("""{"type": "conv2d", "in": 0, "out": 6, "kernel": 3}""", "field 'in' must be a positive integer, got 0")]
    [InlineData("""{"type": "conv2d", "in": 1, "out": 6, "kernel": 3, "padding": -1}""", "field 'padding' must be a non-negative integer or [height, width] of non-negative integers, got -1")]
    [InlineData("""{"type": "linear", "in": 4, "out": 2, "bias": 1}""", "layer 0 (linear): field 'bias' must be true or false, got 1")]
    [InlineData("""{"type": "residual", "layers": {"type": "relu"}}""", "layer 0 (residual): field 'layers' must be a list of layer objects, got {\"type\": \"relu\"}")]
    [InlineData("""{"type": 3}""", "layer 0: field 'type' must be a string, got 3")]
    [InlineData("""{"type": "batchnorm2d", "channels": 4, "eps": 0}""", "layer 0 (batchnorm2d): field 'eps' must be a positive number, got 0")]
    [InlineData("\"relu\"", "layer 0: must be an object like {\"type\": \"relu\"}, got \"relu\"")]
    [InlineData("""{"type": "gelu", "approximate": "sigmoid"}""", "layer 0 (gelu): field 'approximate' must be one of \"none\", \"tanh\", got \"sigmoid\"")]
    public void WrongValueType(string layer, string expected)
    {
        string m = Error(Layers(layer));
        Assert.StartsWith("arch.json: ", m);
        Assert.Contains(expected, m);
    }

    [Fact]
    public void OldAndNewNameOfAFieldTogetherAreAnError()
    {
        Assert.Equal("arch.json: layer 0 (batchnorm2d): fields 'epsilon' and 'eps' both given; 'eps' is the old name of 'epsilon', give one",
            Error(Layers("""{"type": "batchnorm2d", "channels": 4, "epsilon": 0.001, "eps": 0.001}""")));
        Assert.Equal("arch.json: layer 0 (batchnorm2d): field 'epsilon' must be a positive number, got -1",
            Error(Layers("""{"type": "batchnorm2d", "channels": 4, "epsilon": -1}""")));
        Assert.StartsWith("arch.json: layer 0 (batchnorm2d): unknown field 'delta'; batchnorm2d accepts channels, epsilon?, momentum?, affine?",
            Error(Layers("""{"type": "batchnorm2d", "channels": 4, "delta": 0.001}""")));
    }

    [Fact]
    public void NestedLayersReportTheirPath()
    {
        string m = Error(Layers("""{"type": "residual", "layers": [{"type": "relu"}, {"type": "relu", "inplace": true}]}"""));
        Assert.StartsWith("arch.json: layer 0.layers.1 (relu): unknown field 'inplace'", m);
        m = Error(Layers("""{"type": "relu"}, {"type": "residual", "layers": [], "shortcut": [{"type": "linear", "in": 2}]}"""));
        Assert.StartsWith("arch.json: layer 1.shortcut.0 (linear): missing required field 'out'", m);
    }

    [Fact]
    public void MalformedDocuments()
    {
        string m = Error("{\"layers\": [\n  {\"type\": \"relu\"},\n  {\"type\": \"relu\"\n]}");
        Assert.StartsWith("arch.json: invalid JSON (line 4", m);
        Assert.StartsWith("arch.json: the top level must be an object", Error("""[{"type": "relu"}]"""));
        Assert.StartsWith("arch.json: field 'input' must be the shape of one sample", Error("""{"input": [1, 0, 28], "layers": []}"""));
        Assert.StartsWith("arch.json: field 'input' must be", Error("""{"input": 784, "layers": []}"""));
        Assert.StartsWith("arch.json: 'layers' must be a list of layer objects, got an object", Error("""{"layers": {"type": "relu"}}"""));
        Assert.Equal("arch.json: layer 0: field 'p' appears twice", Error(Layers("""{"type": "dropout", "p": 0.1, "p": 0.2}""")));
        Assert.StartsWith("model spec: layer 0: unknown layer type", ModelSpec_ParseDefaultSource("""{"layers": [{"type": "lstm"}]}"""));
    }

    private static string ModelSpec_ParseDefaultSource(string json) => Assert.Throws<ConfigurationException>(() => ModelSpec.Parse(json)).Message;

    [Fact]
    public void LoadNamesTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-spec").FullName;
        try
        {
            string path = Path.Combine(dir, "arch.json");
            File.WriteAllText(path, Layers("""{"type": "conv2d", "in": 1, "out": 6, "kernal": 5}"""));
            var ex = Assert.Throws<ConfigurationException>(() => ModelSpec.Load(path));
            Assert.StartsWith("arch.json: layer 0 (conv2d): unknown field 'kernal'", ex.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
