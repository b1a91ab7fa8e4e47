using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Argument checks and descriptions shared by the 2-D pooling layers.</summary>
internal static class Pool2dArgs
{
    public static (Size2d Stride, Size2d Padding) Check(string layer, Size2d kernel, Size2d? stride, Size2d? padding)
    {
        var s = stride ?? kernel;
        var p = padding ?? 0;
        if (!kernel.AllAtLeast(1)) throw new ValueException($"{layer}: the kernel size must be positive, got {kernel}");
        if (!s.AllAtLeast(1)) throw new ValueException($"{layer}({kernel}): the stride must be positive, got {s}");
        if (!p.AllAtLeast(0) || p.H > kernel.H / 2 || p.W > kernel.W / 2)
            throw new ValueException($"{layer}({kernel}): the padding must be between 0 and half the kernel, got {p}");
        return (s, p);
    }

    public static void CheckInput(Module layer, Tensor input)
    {
        if (input.Rank != 4)
            throw new ShapeException($"{layer.Describe()}: expected input [N,C,H,W], got {input.Shape}");
    }

    public static string Describe(string layer, Size2d kernel, Size2d stride, Size2d padding, bool ceilMode)
    {
        string d = $"{layer}({kernel}";
        if (stride != kernel) d += $", stride {stride.ToShortString()}";
        if (padding != new Size2d(0, 0)) d += $", pad {padding.ToShortString()}";
        if (ceilMode) d += ", ceil";
        return d + ")";
    }
}
