using Nabla.NN;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>BatchNorm1d/2d → BatchNormalization with the running statistics (inference form).</summary>
internal static class NormalizationEmitters
{
    public static string BatchNorm(ExportContext cx, Module layer, string path, string x)
    {
        var bn = (BatchNorm)layer;
        var g = cx.Graph;
        // Without affine parameters γ = 1 and β = 0 are constants (ONNX's BatchNormalization needs both inputs).
        string scale = bn.Weight is null ? g.Floats(path, Enumerable.Repeat(1f, bn.NumFeatures).ToArray()) : cx.Param(bn.Weight);
        string shift = bn.Bias is null ? g.Floats(path, new float[bn.NumFeatures]) : cx.Param(bn.Bias);
        return g.Node("BatchNormalization", path, [x, scale, shift, cx.Buffer(bn.RunningMean), cx.Buffer(bn.RunningVar)],
            AttrFloat("epsilon", bn.Epsilon));
    }
}
