using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;
using Nabla.Onnx.Export;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Export;

/// <summary>Layer options the random architectures may miss, each checked against ONNX Runtime.</summary>
public class ExportLayerTests
{
    [Fact]
    public void PoolsMatchOnnxRuntimeForEveryCeilPaddingAndCountOption()
    {
        var input = Tensor.Normal([3, 2, 7, 10], 0, 1, new Generator(3));
        foreach (int k in new[] { 2, 3 })
            foreach (int s in new[] { 1, 2, 3 })
                for (int p = 0; p <= k / 2; p++)
                    foreach (bool ceil in new[] { false, true })
                    {
                        OrtCheck.AssertMatches($"MaxPool2d(k={k}, s={s}, p={p}, ceil={ceil})", new MaxPool2d(k, s, p, ceil), [2, 7, 10], input);
                        foreach (bool include in new[] { false, true })
                            OrtCheck.AssertMatches($"AvgPool2d(k={k}, s={s}, p={p}, ceil={ceil}, countIncludePad={include})",
                                new AvgPool2d(k, s, p, include, ceil), [2, 7, 10], input);
                    }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(2, 5)]
    public void AdaptiveAveragePoolingExportsWhenItIsGlobalOrExact(int oh, int ow)
    {
        var input = Tensor.Normal([3, 2, 14, 10], 0, 1, new Generator(4));
        OrtCheck.AssertMatches($"AdaptiveAvgPool2d({oh}x{ow})", new AdaptiveAvgPool2d((oh, ow)), [2, 14, 10], input);
    }

    [Fact]
    public void AdaptiveAveragePoolingWithUnevenWindowsIsRefusedNamingTheLayer()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new AdaptiveAvgPool2d((3, 3)));
        var e = Assert.Throws<OnnxException>(() => Onnx.ExportToBytes(model, [1, 12, 12]));
        Assert.Contains("'1' (AdaptiveAvgPool2d(3x3)", e.Message);
        Assert.Contains("10x10 map to 3x3", e.Message);
    }

    [Fact]
    public void RecurrentModelsKeepTheSequenceLengthSymbolic()
    {
        var g = new Generator(5);
        var model = new Sequential(new GRU(4, 3, 2, bidirectional: true, generator: g), new LSTM(6, 5, generator: g), new SequenceHead(5, 2, SequencePooling.Mean, generator: g));
        var bytes = Onnx.ExportToBytes(model, [5, 4]);
        var dims = Protobuf.ModelProto.Parser.ParseFrom(bytes).Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal(["batch", "time", ""], dims.Select(d => d.DimParam));
        // Exported for 5 steps, run on 9.
        OrtCheck.AssertMatches("GRU(bidirectional, 2 layers) > LSTM > SequenceHead(Mean), 9 steps", model, bytes, Tensor.Normal([3, 9, 4], 0, 1, g));
    }

    [Fact]
    public void AModelThatFixesTheSequenceLengthExportsWithAStaticLength()
    {
        var g = new Generator(6);
        var model = new Sequential(new LSTM(4, 3, generator: g), new BatchNorm1d(5)); // batch norm over the 5 steps
        ExportCase.WithBatchNormState(model, g);
        var bytes = OrtCheck.AssertMatches("LSTM > BatchNorm1d(steps)", model, [5, 4], Tensor.Normal([3, 5, 4], 0, 1, g));
        var dims = Protobuf.ModelProto.Parser.ParseFrom(bytes).Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal(5, dims[1].DimValue);
    }

    /// <remarks>
    /// Exact GELU is exported as ½·x·(1 + Erf(x/√2)) (opset 17 has no Gelu). In float32 the 1 + Erf cancels for x below
    /// about −3, so ONNX Runtime's values there are off by up to ~1e-7 absolutely (Nabla's, computed in double, agree
    /// with a double-precision reference to ~1e-6 relatively); over the layer's whole range that is far inside 1e-5.
    /// </remarks>
    [Fact]
    public void GeluMatchesOnnxRuntimeAcrossItsRange()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 241).Select(i => -8f + i / 20f).ToArray(), [1, 241]);
        OrtCheck.AssertMatches("GELU on [-8, 4]", new GELU(), [241], x);
        OrtCheck.AssertMatches("GELU(tanh) on [-8, 4]", new GELU(GELUApproximation.Tanh), [241], x);
    }

    [Fact]
    public void TheRandomArchitecturesCoverEveryExportableLayer()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < RandomArchitectures.Count; i++)
            foreach (var (_, m) in RandomArchitectures.Create(i).Model.NamedModules()) seen.Add(m.GetType().Name);
        var missing = EmitterRegistry.Exportable.Where(t => !seen.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"no random architecture has {string.Join(", ", missing)}");
    }
}
