using Nabla.NN;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>MaxPool2d → MaxPool, AvgPool2d → AveragePool, GlobalAvgPool2d → GlobalAveragePool + Flatten, AdaptiveAvgPool2d → a global or exact AveragePool.</summary>
internal static class PoolEmitters
{
    public static string MaxPool(ExportContext cx, Module layer, string path, string x)
    {
        var p = (MaxPool2d)layer;
        var y = cx.Graph.Node("MaxPool", path, [x], Window(p.KernelSize, p.Stride, p.Padding, p.CeilMode));
        return DropOuterWindow(cx, layer, path, y, p.KernelSize, p.Stride, p.Padding, p.CeilMode);
    }

    public static string AvgPool(ExportContext cx, Module layer, string path, string x)
    {
        var p = (AvgPool2d)layer;
        var y = cx.Graph.Node("AveragePool", path, [x],
            [.. Window(p.KernelSize, p.Stride, p.Padding, p.CeilMode), AttrInt("count_include_pad", p.CountIncludePad ? 1 : 0)]);
        return DropOuterWindow(cx, layer, path, y, p.KernelSize, p.Stride, p.Padding, p.CeilMode);
    }

    public static string GlobalAvgPool(ExportContext cx, Module layer, string path, string x)
    {
        var pooled = cx.Graph.Node("GlobalAveragePool", path, [x]);          // [N, C, 1, 1]
        return cx.Graph.Node("Flatten", path, [pooled], AttrInt("axis", 1)); // Nabla's [N, C]
    }

    public static string AdaptiveAvgPool(ExportContext cx, Module layer, string path, string x)
    {
        var p = (AdaptiveAvgPool2d)layer;
        var dims = cx.InputDims(layer, path);
        int h = dims[2], w = dims[3], oh = p.OutputSize.H, ow = p.OutputSize.W;
        if (oh == 1 && ow == 1) return cx.Graph.Node("GlobalAveragePool", path, [x]);
        if (h <= 0 || w <= 0 || h % oh != 0 || w % ow != 0)
            throw new OnnxException(
                $"Onnx.Export: layer {ExportContext.Name(path, layer)} pools a {Size(h)}x{Size(w)} map to {oh}x{ow}; ONNX has no adaptive pooling, " +
                "so only a 1x1 output (GlobalAveragePool) or a map whose height and width are multiples of the output's (AveragePool) can be exported");
        var kernel = new Size2d(h / oh, w / ow);
        return cx.Graph.Node("AveragePool", path, [x], Window(kernel, kernel, 0, ceilMode: false));
    }

    /// <summary>
    /// In ceil mode Nabla (as PyTorch) drops a last window that would start inside the right padding; ONNX keeps it.
    /// Where that happens the extra row or column is sliced off, leaving exactly Nabla's windows.
    /// </summary>
    private static string DropOuterWindow(ExportContext cx, Module layer, string path, string y, Size2d kernel, Size2d stride, Size2d padding, bool ceilMode)
    {
        if (!ceilMode) return y;
        var dims = cx.InputDims(layer, path);
        var (h, oh) = CeilSizes(dims[2], kernel.H, stride.H, padding.H);
        var (w, ow) = CeilSizes(dims[3], kernel.W, stride.W, padding.W);
        if (h == oh && w == ow) return y;
        var g = cx.Graph;
        return g.Node("Slice", path, [y, g.Int64s(path, [0, 0]), g.Int64s(path, [oh, ow]), g.Int64s(path, [2, 3])]);
    }

    /// <summary>The ceil-mode output size along one axis as ONNX computes it and as Nabla does.</summary>
    private static (int Onnx, int Nabla) CeilSizes(int size, int kernel, int stride, int pad)
    {
        if (size < 0) return (0, 0); // a symbolic axis: nothing known to slice
        int onnx = (size + 2 * pad - kernel + stride - 1) / stride + 1;
        int nabla = (onnx - 1) * stride >= size + pad ? onnx - 1 : onnx;
        return (onnx, nabla);
    }

    private static string Size(int d) => d < 0 ? "(symbolic)" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Protobuf.AttributeProto[] Window(Size2d kernel, Size2d stride, Size2d padding, bool ceilMode) =>
    [
        AttrInts("kernel_shape", kernel.H, kernel.W),
        AttrInts("strides", stride.H, stride.W),
        AttrInts("pads", padding.H, padding.W, padding.H, padding.W),
        AttrInt("ceil_mode", ceilMode ? 1 : 0),
    ];
}
