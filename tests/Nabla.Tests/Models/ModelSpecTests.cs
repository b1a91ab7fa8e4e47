using Nabla.Models;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Models;

public class ModelSpecTests
{
    private static void AssertSameArchitecture(Module expected, Module actual)
    {
        Assert.Equal(expected.NamedParameters().Select(p => (p.Name, p.Parameter.Shape)), actual.NamedParameters().Select(p => (p.Name, p.Parameter.Shape)));
        Assert.Equal(expected.NamedBuffers().Select(b => (b.Name, b.Buffer.Shape)), actual.NamedBuffers().Select(b => (b.Name, b.Buffer.Shape)));
        Assert.Equal(expected.NamedModules().Select(m => (m.Name, m.Module.Describe())), actual.NamedModules().Select(m => (m.Name, m.Module.Describe())));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet")]
    [InlineData("cnn")]
    [InlineData("resnet")]
    public void ZooSpecsRoundTripThroughJson(string name)
    {
        var spec = ModelZoo.Spec(name);
        Assert.Equal(name, spec.Name);
        Assert.Equal(new[] { 1, 28, 28 }, spec.Input);
        string json = spec.ToJson();
        var reread = ModelSpec.Parse(json, $"{name}.json");
        Assert.Equal(json, reread.ToJson());

        var zoo = ModelZoo.Create(name, new Generator(7));
        var rebuilt = reread.Build(new Generator(7));
        AssertSameArchitecture(zoo, rebuilt);
        // Same constructors in the same order draw the same initial weights from the same seed.
        Assert.Equal(zoo.Parameters().Select(p => p.Data.ToDoubleArray()), rebuilt.Parameters().Select(p => p.Data.ToDoubleArray()));
        Assert.True(rebuilt.IsTraining);
    }

    [Fact]
    public void HandWrittenLeNetMatchesTheZoo()
    {
        const string json = """
            {
              "input": [1, 28, 28],
              "layers": [
                {"type": "conv2d", "in": 1, "out": 6, "kernel": 5, "padding": 2}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
                {"type": "conv2d", "in": 6, "out": 16, "kernel": [5, 5]}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2, "stride": 2},
                {"type": "flatten"},
                {"type": "linear", "in": 400, "out": 120}, {"type": "relu"},
                {"type": "linear", "in": 120, "out": 84}, {"type": "relu"},
                {"type": "linear", "in": 84, "out": 10, "bias": true}
              ]
            }
            """;
        var model = ModelSpec.Parse(json, "lenet.json").Build();
        AssertSameArchitecture(ModelZoo.LeNet5(), model);
        Assert.Equal(61_706, model.ParameterCount());
        Assert.Equal(new Shape(2, 10), model.Forward(Tensor.Zeros([2, 1, 28, 28])).Shape);
        // Described from the built model, defaults are dropped and square sizes shortened: the zoo's own description results.
        Assert.Equal(ModelZoo.Spec("lenet").ToJson(), ModelSpec.FromModule(model, [1, 28, 28], "lenet").ToJson());
        Assert.Contains("{\"type\": \"maxpool2d\", \"kernel\": 2, \"stride\": 2}", ModelSpec.Parse(json).ToJson()); // a parsed description keeps what was given
    }

    [Fact]
    public void BatchNormReadsTheOldFieldNameEpsAndWritesEpsilon()
    {
        // architecture files written before the rename to one vocabulary ("eps" → "epsilon") still load
        var old = ModelSpec.Parse("""{"input": [4], "layers": [{"type": "batchnorm1d", "features": 4, "eps": 0.01}]}""", "old.json");
        Assert.Equal(0.01, (double)old.Layers[0].Fields["epsilon"]);
        Assert.False(old.Layers[0].Fields.ContainsKey("eps"));
        Assert.Equal(0.01, ((BatchNorm1d)old.Build().Layers[0]).Epsilon);
        Assert.Contains("\"epsilon\": 0.01", old.ToJson());
        Assert.DoesNotContain("\"eps\"", old.ToJson());

        var model = new Sequential(new BatchNorm2d(3, epsilon: 0.002));
        string json = ModelSpec.FromModule(model, [3, 4, 4]).ToJson();
        Assert.Contains("{\"type\": \"batchnorm2d\", \"channels\": 3, \"epsilon\": 0.002}", json);
        Assert.Equal(0.002, ((BatchNorm2d)ModelSpec.Parse(json).Build().Layers[0]).Epsilon);
        Assert.DoesNotContain("epsilon", ModelSpec.FromModule(new Sequential(new BatchNorm2d(3)), [3, 4, 4]).ToJson()); // the default is left out
    }

    // Every layer type, chained so that shapes fit an input of [2, 8, 8].
    private const string EveryLayerType = """
        {"input": [2, 8, 8], "layers": [
          {"type": "conv2d", "in": 2, "out": 4, "kernel": [3, 5], "padding": [1, 2], "dilation": 1, "groups": 2, "bias": false},
          {"type": "batchnorm2d", "channels": 4, "epsilon": 0.001, "momentum": 0.2},
          {"type": "relu"},
          {"type": "depthwise_separable_conv2d", "in": 4, "out": 4, "kernel": 3, "padding": 1, "multiplier": 2},
          {"type": "residual", "layers": [{"type": "conv2d", "in": 4, "out": 4, "kernel": 3, "padding": 1}, {"type": "leaky_relu", "alpha": 0.1}]},
          {"type": "residual", "layers": [{"type": "conv2d", "in": 4, "out": 6, "kernel": 3, "stride": 2, "padding": 1}],
                               "shortcut": [{"type": "conv2d", "in": 4, "out": 6, "kernel": 1, "stride": 2}]},
          {"type": "elu", "alpha": 0.5},
          {"type": "maxpool2d", "kernel": 3, "stride": 1, "padding": 1, "ceil_mode": true},
          {"type": "sequential", "layers": [{"type": "prelu", "channels": 6, "init": 0.1}, {"type": "identity"}]},
          {"type": "avgpool2d", "kernel": 2, "count_include_pad": false},
          {"type": "flatten", "start": 1, "end": 3},
          {"type": "linear", "in": 24, "out": 12},
          {"type": "batchnorm1d", "features": 12, "affine": false},
          {"type": "gelu", "approximate": "tanh"},
          {"type": "dropout", "p": 0.1},
          {"type": "maxout", "in": 12, "out": 6, "pieces": 3},
          {"type": "silu"}, {"type": "tanh"}, {"type": "sigmoid"},
          {"type": "linear", "in": 6, "out": 6, "bias": false},
          {"type": "softmax", "axis": 1},
          {"type": "log_softmax"},
          {"type": "linear", "in": 6, "out": 3}
        ]}
        """;

    private static IEnumerable<string> TypesUsed(IEnumerable<LayerSpec> layers)
        => layers.SelectMany(l => new[] { l.Type }.Concat(TypesUsed(l.Children("layers"))).Concat(TypesUsed(l.Children("shortcut"))));

    [Fact]
    public void EveryLayerTypeParsesBuildsAndRoundTrips()
    {
        var spec = ModelSpec.Parse(EveryLayerType, "all.json");
        var gapSpec = ModelSpec.Parse("""{"input": [3, 5, 5], "layers": [{"type": "global_avgpool2d"}, {"type": "linear", "in": 3, "out": 2}]}""");
        var adaptiveSpec = ModelSpec.Parse("""
            {"input": [3, 5, 7], "layers": [{"type": "avgpool2d", "kernel": 2, "ceil_mode": true}, {"type": "adaptive_avgpool2d", "output": [2, 1]},
                                           {"type": "flatten"}, {"type": "linear", "in": 6, "out": 2}]}
            """);
        Assert.Equal(ModelSpec.LayerTypes.Order(),
            TypesUsed(spec.Layers).Concat(TypesUsed(gapSpec.Layers)).Concat(TypesUsed(adaptiveSpec.Layers)).Distinct().Order());
        var model = spec.Build(new Generator(1));
        Assert.Equal(new Shape(5, 3), model.Forward(Tensor.Uniform([5, 2, 8, 8], -1, 1, new Generator(2))).Shape);

        var described = ModelSpec.FromModule(model, [2, 8, 8]);
        Assert.Equal(described.ToJson(), ModelSpec.Parse(described.ToJson()).ToJson());
        AssertSameArchitecture(model, described.Build());
        var conv = (Conv2d)model.Layers[0];
        Assert.Equal((new Size2d(3, 5), new Size2d(1, 2), 2, false), (conv.KernelSize, conv.Padding, conv.Groups, conv.Bias is not null));
        var bn = (BatchNorm2d)((Sequential)ModelSpec.Parse(described.ToJson()).Build()).Layers[1];
        Assert.Equal((0.001, 0.2), (bn.Epsilon, bn.Momentum));
        Assert.True(bn.Affine);
        var bn1 = (BatchNorm1d)((Sequential)ModelSpec.Parse(described.ToJson()).Build()).Layers[12];
        Assert.False(bn1.Affine);
        Assert.Contains("\"affine\": false", described.ToJson());
        Assert.Contains("\"kernel\": [3, 5], \"padding\": [1, 2], \"groups\": 2, \"bias\": false}", described.ToJson());
        Assert.Contains("\"count_include_pad\": false", described.ToJson());
        Assert.Contains("{\"type\": \"gelu\", \"approximate\": \"tanh\"}", described.ToJson());
        Assert.Equal(GELUApproximation.Tanh, ((GELU)((Sequential)ModelSpec.Parse(described.ToJson()).Build()).Layers[13]).Approximate);

        var adaptive = adaptiveSpec.Build();
        Assert.Equal(new Shape(4, 2), adaptive.Forward(Tensor.Zeros([4, 3, 5, 7])).Shape);
        Assert.Equal(new Size2d(2, 1), ((AdaptiveAvgPool2d)adaptive.Layers[1]).OutputSize);
        Assert.True(((AvgPool2d)adaptive.Layers[0]).CeilMode);
        string adaptiveJson = ModelSpec.FromModule(adaptive, [3, 5, 7]).ToJson();
        Assert.Contains("{\"type\": \"adaptive_avgpool2d\", \"output\": [2, 1]}", adaptiveJson);
        Assert.Contains("{\"type\": \"avgpool2d\", \"kernel\": 2, \"ceil_mode\": true}", adaptiveJson);
        Assert.True(((MaxPool2d)((Sequential)ModelSpec.Parse(described.ToJson()).Build()).Layers[7]).CeilMode);

        var gap = gapSpec.Build();
        Assert.IsType<GlobalAvgPool2d>(gap.Layers[0]);
        Assert.Equal(new Shape(4, 2), gap.Forward(Tensor.Zeros([4, 3, 5, 5])).Shape);
    }

    [Fact]
    public void JsonIsOneLinePerLayer()
    {
        string json = ModelZoo.Spec("lenet").ToJson();
        var lines = json.Split('\n');
        Assert.Equal("  \"name\": \"lenet\",", lines[1]);
        Assert.Equal("  \"input\": [1, 28, 28],", lines[2]);
        Assert.Equal("    {\"type\": \"conv2d\", \"in\": 1, \"out\": 6, \"kernel\": 5, \"padding\": 2},", lines[4]);
        Assert.Equal("    {\"type\": \"maxpool2d\", \"kernel\": 2},", lines[6]);
        Assert.Equal(4 + 12 + 3, lines.Length); // {, name, input, "layers": [, 12 layers, ], }, and the empty rest after the last newline
    }

    [Fact]
    public void BuildChecksThatShapesChain()
    {
        const string json = """
            {"input": [1, 28, 28], "layers": [
              {"type": "conv2d", "in": 1, "out": 6, "kernel": 5}, {"type": "flatten"}, {"type": "linear", "in": 400, "out": 10}]}
            """;
        var spec = ModelSpec.Parse(json, "arch.json");
        var ex = Assert.Throws<ConfigurationException>(() => spec.Build());
        Assert.StartsWith("arch.json: layer 2 (linear): the layers do not fit the input [1,1,28,28]", ex.Message);
        Assert.Contains("Linear(400 → 10): expected input [.., 400], got [1,3456]", ex.Message);
        // Without an input shape there is nothing to check against.
        Assert.Equal(3, ModelSpec.Parse(json.Replace("\"input\": [1, 28, 28], ", "")).Build().Layers.Count);
    }

    [Fact]
    public void BuildReportsInvalidLayerSettingsWithTheirPath()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ModelSpec.Parse("""
            {"layers": [{"type": "relu"}, {"type": "residual", "layers": [{"type": "conv2d", "in": 3, "out": 6, "kernel": 3, "groups": 2}]}]}
            """, "arch.json").Build());
        Assert.StartsWith("arch.json: layer 1.layers.0 (conv2d): Conv2d(3 → 6, 3x3): groups must", ex.Message);
        ex = Assert.Throws<ConfigurationException>(() => ModelSpec.Parse("""{"layers": [{"type": "maxpool2d", "kernel": 2, "padding": 2}]}""", "arch.json").Build());
        Assert.StartsWith("arch.json: layer 0 (maxpool2d): MaxPool2d(2x2): the padding", ex.Message);
    }

    private sealed class Custom : Module
    {
        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void FromModuleRejectsWhatItCannotDescribe()
    {
        Assert.Contains("must be a Sequential", Assert.Throws<ConfigurationException>(() => ModelSpec.FromModule(new Linear(2, 2))).Message);
        var ex = Assert.Throws<ConfigurationException>(() => ModelSpec.FromModule(new Sequential(new Linear(2, 2), new Custom())));
        Assert.Contains("Custom (Custom) has no description type", ex.Message);
        ex = Assert.Throws<ConfigurationException>(() => ModelSpec.FromModule(new Sequential(new Residual(new Linear(2, 2)))));
        Assert.Contains("Residual: its layers is a Linear", ex.Message);
    }

    [Fact]
    public void SaveAndLoadUseTheFileNameAsSource()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-spec").FullName;
        try
        {
            string path = Path.Combine(dir, "lenet.json");
            ModelZoo.Spec("lenet").Save(path);
            var loaded = ModelSpec.Load(path);
            Assert.Equal("lenet.json", loaded.Source);
            Assert.Equal(ModelZoo.Spec("lenet").ToJson(), loaded.ToJson());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
