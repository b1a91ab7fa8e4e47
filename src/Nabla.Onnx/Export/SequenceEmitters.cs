using Nabla.NN;
using Nabla.NN.Recurrent;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>SequenceHead → the pooling over time (Gather of the last step, ReduceMean or ReduceMax) and its Linear.</summary>
internal static class SequenceEmitters
{
    public static string SequenceHead(ExportContext cx, Module layer, string path, string x)
    {
        var head = (SequenceHead)layer;
        var g = cx.Graph;
        long axis = head.BatchFirst ? 1 : 0;
        string pooled = head.Pooling switch
        {
            SequencePooling.Last => g.Node("Gather", path, [x, g.Int64s(path, [-1], scalar: true)], AttrInt("axis", axis)),
            SequencePooling.Mean => g.Node("ReduceMean", path, [x], AttrInts("axes", axis), AttrInt("keepdims", 0)),
            _ => g.Node("ReduceMax", path, [x], AttrInts("axes", axis), AttrInt("keepdims", 0)),
        };
        return cx.Emit(head.Linear, pooled);
    }
}
