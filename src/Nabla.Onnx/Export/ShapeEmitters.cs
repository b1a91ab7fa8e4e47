using Nabla.NN;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>Flatten → Flatten or Reshape; Dropout and Identity (evaluation mode) → no node.</summary>
internal static class ShapeEmitters
{
    public static string PassThrough(ExportContext cx, Module layer, string path, string x) => x;

    public static string Flatten(ExportContext cx, Module layer, string path, string x)
    {
        var f = (Flatten)layer;
        var dims = cx.InputDims(layer, path);
        int rank = dims.Length;
        int s = f.StartAxis < 0 ? f.StartAxis + rank : f.StartAxis, e = f.EndAxis < 0 ? f.EndAxis + rank : f.EndAxis;
        if (s == e) return x;
        if (s == 1 && e == rank - 1) return cx.Graph.Node("Flatten", path, [x], AttrInt("axis", 1));
        // Leading axes keep their size (0 copies it, so the batch stays symbolic), the merged ones become −1, trailing ones are static.
        var shape = new List<long>();
        for (int i = 0; i < s; i++) shape.Add(0);
        shape.Add(-1);
        for (int i = e + 1; i < rank; i++)
        {
            if (dims[i] < 0)
                throw new OnnxException($"Onnx.Export: layer {ExportContext.Name(path, layer)} keeps axis {i} of its input, which is symbolic; " +
                                        "expected the axes after the flattened ones to have a fixed size");
            shape.Add(dims[i]);
        }
        return cx.Graph.Reshape(path, x, [.. shape]);
    }
}
