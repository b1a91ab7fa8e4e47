using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Average pooling: each output element is the mean of an F×F window of one channel, the window moving by the
/// stride (by default the kernel size). No parameters.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>
    /// Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>. With
    /// <paramref name="countIncludePad"/> the padded zeros count in the mean (the divisor is always KH·KW).
    /// </summary>
    public AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool countIncludePad = true)
    {
        var (s, p) = Pool2dArgs.Check("AvgPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = s;
        Padding = p;
        CountIncludePad = countIncludePad;
    }

    /// <summary>The window size.</summary>
    public Size2d KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Size2d Stride { get; }

    /// <summary>The zero padding on each side (at most half the kernel).</summary>
    public Size2d Padding { get; }

    /// <summary>True if padded zeros count in the mean.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Pool2dArgs.CheckInput(this, input);
        try { return input.AvgPool2d(KernelSize.ToTuple(), Stride.ToTuple(), Padding.ToTuple(), CountIncludePad); }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>E.g. <c>AvgPool2d(2x2)</c>.</summary>
    public override string Describe()
    {
        string d = Pool2dArgs.Describe("AvgPool2d", KernelSize, Stride, Padding);
        return CountIncludePad ? d : d[..^1] + ", pad excluded)";
    }
}
