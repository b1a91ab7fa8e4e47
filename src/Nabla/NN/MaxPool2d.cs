using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Max pooling: each output element is the largest value of an F×F window of one channel, the window moving by the
/// stride (by default the kernel size, so windows do not overlap). Subsampling keeps the strongest responses and makes
/// the map smaller; channels are pooled separately. No parameters.
/// <para>As PyTorch's <c>MaxPool2d</c>: padding counts as −∞; with <c>ceilMode</c> the output size is rounded up, so a
/// last, partial window covers rows and columns the floor rule would drop; <see cref="ForwardWithIndices"/> also returns
/// where each maximum was (<c>return_indices=True</c>).</para>
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>, <paramref name="padding"/> (counted as −∞) to 0.</summary>
    /// <param name="kernelSize">The window size.</param>
    /// <param name="stride">The step between windows (default: the kernel size).</param>
    /// <param name="padding">The padding on each side, at most half the kernel (default 0).</param>
    /// <param name="ceilMode">True to round the output size up (PyTorch's <c>ceil_mode</c>).</param>
    public MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool ceilMode = false)
    {
        var (s, p) = Pool2dArgs.Check("MaxPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = s;
        Padding = p;
        CeilMode = ceilMode;
    }

    /// <summary>The window size.</summary>
    public Size2d KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Size2d Stride { get; }

    /// <summary>The padding on each side (at most half the kernel).</summary>
    public Size2d Padding { get; }

    /// <summary>True when the output size is rounded up (PyTorch's <c>ceil_mode</c>).</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Pool2dArgs.CheckInput(this, input);
        try { return input.MaxPool2d(KernelSize.ToTuple(), Stride.ToTuple(), Padding.ToTuple(), CeilMode); }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>
    /// The pooled output and, for each of its elements in row-major [N,C,OH,OW] order, the index ih·W + iw of the
    /// maximum within its input plane (PyTorch's <c>return_indices=True</c>; see <see cref="Tensor.MaxPool2dWithIndices"/>).
    /// </summary>
    public (Tensor Output, int[] Indices) ForwardWithIndices(Tensor input)
    {
        Pool2dArgs.CheckInput(this, input);
        try { return input.MaxPool2dWithIndices(KernelSize.ToTuple(), Stride.ToTuple(), Padding.ToTuple(), CeilMode); }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>E.g. <c>MaxPool2d(2x2)</c> or <c>MaxPool2d(3x3, stride 2, pad 1, ceil)</c>.</summary>
    public override string Describe() => Pool2dArgs.Describe("MaxPool2d", KernelSize, Stride, Padding, CeilMode);
}
