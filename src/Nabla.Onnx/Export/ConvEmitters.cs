using Nabla.NN;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>Conv2d (stride, padding, dilation, groups) → Conv; DepthwiseSeparableConv2d → its two Convs.</summary>
internal static class ConvEmitters
{
    public static string Conv2d(ExportContext cx, Module layer, string path, string x)
    {
        var c = (Conv2d)layer;
        var inputs = c.Bias is null ? new[] { x, cx.Param(c.Weight) } : [x, cx.Param(c.Weight), cx.Param(c.Bias)];
        return cx.Graph.Node("Conv", path, inputs,
            AttrInts("kernel_shape", c.KernelSize.H, c.KernelSize.W),
            AttrInts("strides", c.Stride.H, c.Stride.W),
            AttrInts("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W),
            AttrInts("dilations", c.Dilation.H, c.Dilation.W),
            AttrInt("group", c.Groups));
    }

    public static string DepthwiseSeparable(ExportContext cx, Module layer, string path, string x)
    {
        var d = (DepthwiseSeparableConv2d)layer;
        return cx.Emit(d.Pointwise, cx.Emit(d.Depthwise, x));
    }
}
