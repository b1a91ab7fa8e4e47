using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Average pooling: each output element is the mean of an F×F window of one channel, the window moving by the
/// stride (by default the kernel size). No parameters.
/// <para>As PyTorch's <c>AvgPool2d</c>: padding counts as zeros in the mean unless <c>countIncludePad</c> is false
/// (then border windows average only the input they see); with <c>ceilMode</c> the output size is rounded up, and a
/// last window reaching past the padded border divides by its part inside that border.</para>
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>
    /// Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>. With
    /// <paramref name="countIncludePad"/> the padded zeros count in the mean (the divisor is KH·KW).
    /// </summary>
    /// <param name="kernelSize">The window size.</param>
    /// <param name="stride">The step between windows (default: the kernel size).</param>
    /// <param name="padding">The zero padding on each side, at most half the kernel (default 0).</param>
    /// <param name="countIncludePad">True (the default, as PyTorch) to count padded zeros in the mean; false to average the real elements only.</param>
    /// <param name="ceilMode">True to round the output size up (PyTorch's <c>ceil_mode</c>).</param>
    public AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool countIncludePad = true, bool ceilMode = false)
    {
        var (s, p) = Pool2dArgs.Check("AvgPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = s;
        Padding = p;
        CountIncludePad = countIncludePad;
        CeilMode = ceilMode;
    }

    /// <summary>The window size.</summary>
    public Size2d KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Size2d Stride { get; }

    /// <summary>The zero padding on each side (at most half the kernel).</summary>
    public Size2d Padding { get; }

    /// <summary>True if padded zeros count in the mean.</summary>
    public bool CountIncludePad { get; }

    /// <summary>True when the output size is rounded up (PyTorch's <c>ceil_mode</c>).</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Pool2dArgs.CheckInput(this, input);
        try { return input.AvgPool2d(KernelSize.ToTuple(), Stride.ToTuple(), Padding.ToTuple(), CountIncludePad, CeilMode); }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>E.g. <c>AvgPool2d(2x2)</c> or <c>AvgPool2d(3x3, stride 2, pad 1, ceil, pad excluded)</c>.</summary>
    public override string Describe()
    {
        string d = Pool2dArgs.Describe("AvgPool2d", KernelSize, Stride, Padding, CeilMode);
        return CountIncludePad ? d : d[..^1] + ", pad excluded)";
    }
}
