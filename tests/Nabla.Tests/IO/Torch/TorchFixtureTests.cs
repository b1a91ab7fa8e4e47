using Nabla.Autograd;
using Nabla.IO.Torch;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.IO.Torch;

/// <summary>
/// Weights PyTorch 1.13 saved (tests/torch/make_weights.py) load into Nabla's twin architectures by their PyTorch names
/// and reproduce PyTorch's outputs: within 1e-5 in float32, 1e-12 in float64.
/// </summary>
public class TorchFixtureTests
{
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in TorchModels.Names)
            foreach (var ext in new[] { ".pt", ".safetensors" })
                data.Add(name, ext);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadsAndReproducesPyTorchsOutputs(string name, string extension)
    {
        var (input, expected, keys) = TorchModels.Case(name);
        var state = TorchFile.Load(TorchModels.Fixture(name + extension));
        Assert.Equal(keys, state.Keys);
        var model = TorchModels.Build(name, seed: 7);
        Assert.Equal(keys, model.StateDict().Keys); // the same names in the same order as PyTorch's state_dict()
        var result = model.LoadStateDict(state);
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(input);
        double tolerance = TorchModels.IsFloat64(name) ? 1e-12 : 1e-5;
        double diff = TorchModels.MaxDifference(y, expected);
        Assert.True(diff <= tolerance, $"{name}{extension}: max |Nabla − PyTorch| = {diff:G3} > {tolerance:G1}");
    }

    [Fact]
    public void BatchNormCountersLoadFromPyTorchsInt64()
    {
        var model = (Sequential)TorchModels.Build("resnet");
        model.LoadStateDict(TorchFile.Load(TorchModels.Fixture("resnet.pt")));
        var bn = (BatchNorm)model.Layers[1];
        Assert.Equal(3.0, bn.NumBatchesTracked.GetFlat(0)); // three training batches in make_weights.py
        Assert.NotEqual(0.0, bn.RunningMean.GetFlat(0));
    }

    [Theory]
    [InlineData("dtypes.pt")]
    [InlineData("dtypes.safetensors")]
    public void ReadsEveryDTypeAndStridedViews(string file)
    {
        var state = TorchFile.Load(TorchModels.Fixture(file));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(TorchModels.Fixture("dtypes.json")));
        foreach (var e in doc.RootElement.EnumerateObject())
        {
            var expected = TorchModels.Read(e.Value, DType.Float64);
            var actual = state[e.Name];
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(e.Name is "f64" or "i64" ? DType.Float64 : DType.Float32, actual.DType);
            Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
        }
        Assert.Equal(1L << 40, (long)state["i64"].GetFlat(2));
    }
}
