using Nabla.NN;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>Linear → Gemm (transB = 1; MatMul + Add above rank 2), Maxout → Gemm + Reshape + ReduceMax, Embedding → Cast + Gather.</summary>
internal static class DenseEmitters
{
    public static string Linear(ExportContext cx, Module layer, string path, string x)
    {
        var l = (Linear)layer;
        int rank = cx.InputDims(layer, path).Length;
        return Affine(cx.Graph, path, x, rank, cx.Param(l.Weight), l.Bias is null ? null : cx.Param(l.Bias));
    }

    /// <summary>x·Wᵀ + b for W [out, in]: one Gemm for a [N, in] input, MatMul with Wᵀ plus Add for [.., in].</summary>
    private static string Affine(OnnxGraphBuilder g, string path, string x, int rank, string weight, string? bias)
    {
        if (rank == 2)
            return g.Node("Gemm", path, bias is null ? [x, weight] : [x, weight, bias], AttrInt("transB", 1));
        var y = g.Node("MatMul", path, [x, g.Transpose(path, weight, 1, 0)]);
        return bias is null ? y : g.Node("Add", path, [y, bias]);
    }

    public static string Maxout(ExportContext cx, Module layer, string path, string x)
    {
        var m = (Maxout)layer;
        int rank = cx.InputDims(layer, path).Length;
        var z = cx.Emit(m.Linear, x);                                   // [.., out·k], piece i of unit j at j·k + i
        var shape = Enumerable.Repeat(0L, rank - 1).Append(m.OutFeatures).Append(m.Pieces).ToArray();
        var pieces = cx.Graph.Reshape(path, z, shape);                  // [.., out, k]
        return cx.Graph.Node("ReduceMax", path, [pieces], AttrInts("axes", -1), AttrInt("keepdims", 0));
    }

    public static string Embedding(ExportContext cx, Module layer, string path, string x)
    {
        var e = (Embedding)layer;
        // Nabla feeds the indices as floats; ONNX's Gather takes integers.
        var index = cx.Graph.Node("Cast", path, [x], AttrInt("to", (long)Protobuf.TensorProto.Types.DataType.Int64));
        return cx.Graph.Node("Gather", path, [cx.Param(e.Weight), index], AttrInt("axis", 0));
    }
}
