using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>
/// The activations: the ones ONNX has as operators one to one, PReLU with its slopes reshaped to broadcast over
/// [N, C, …], and GELU and SiLU decomposed into operators every opset from 13 has.
/// </summary>
internal static class ActivationEmitters
{
    public static string ReLU(ExportContext cx, Module layer, string path, string x) => cx.Graph.Node("Relu", path, [x]);

    public static string Sigmoid(ExportContext cx, Module layer, string path, string x) => cx.Graph.Node("Sigmoid", path, [x]);

    public static string Tanh(ExportContext cx, Module layer, string path, string x) => cx.Graph.Node("Tanh", path, [x]);

    public static string LeakyReLU(ExportContext cx, Module layer, string path, string x) =>
        cx.Graph.Node("LeakyRelu", path, [x], AttrFloat("alpha", ((LeakyReLU)layer).Alpha));

    public static string ELU(ExportContext cx, Module layer, string path, string x) =>
        cx.Graph.Node("Elu", path, [x], AttrFloat("alpha", ((ELU)layer).Alpha));

    public static string Softmax(ExportContext cx, Module layer, string path, string x) =>
        cx.Graph.Node("Softmax", path, [x], AttrInt("axis", ((Softmax)layer).Axis));

    public static string LogSoftmax(ExportContext cx, Module layer, string path, string x) =>
        cx.Graph.Node("LogSoftmax", path, [x], AttrInt("axis", ((LogSoftmax)layer).Axis));

    /// <summary>x·σ(x).</summary>
    public static string SiLU(ExportContext cx, Module layer, string path, string x) =>
        cx.Graph.Node("Mul", path, [x, cx.Graph.Node("Sigmoid", path, [x])]);

    /// <summary>One slope shared, or one per channel of axis 1, shaped [C, 1, …] so that it broadcasts over [N, C, …].</summary>
    public static string PReLU(ExportContext cx, Module layer, string path, string x)
    {
        var p = (PReLU)layer;
        int rank = cx.InputDims(layer, path).Length;
        string slope = cx.Param(p.Weight);
        if (p.NumParameters > 1 && rank > 2)
            slope = cx.Graph.Reshape(path, slope, [p.NumParameters, .. Enumerable.Repeat(1L, rank - 2)]);
        return cx.Graph.Node("PRelu", path, [x, slope]);
    }

    /// <summary>Exact: ½·x·(1 + erf(x/√2)); tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static string GELU(ExportContext cx, Module layer, string path, string x)
    {
        var g = cx.Graph;
        string inner;
        if (((GELU)layer).Approximate == GELUApproximation.None)
            inner = g.Node("Erf", path, [g.Node("Div", path, [x, g.Float(path, Math.Sqrt(2))])]);
        else
        {
            var cube = g.Node("Mul", path, [g.Node("Mul", path, [x, x]), x]);
            var sum = g.Node("Add", path, [x, g.Node("Mul", path, [cube, g.Float(path, 0.044715)])]);
            inner = g.Node("Tanh", path, [g.Node("Mul", path, [sum, g.Float(path, Math.Sqrt(2 / Math.PI))])]);
        }
        var onePlus = g.Node("Add", path, [inner, g.Float(path, 1)]);
        return g.Node("Mul", path, [g.Node("Mul", path, [x, onePlus]), g.Float(path, 0.5)]);
    }
}
