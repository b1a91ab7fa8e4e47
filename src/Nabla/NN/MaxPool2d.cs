using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Max pooling: each output element is the largest value of an F×F window of one channel, the window moving by the
/// stride (by default the kernel size, so windows do not overlap). Subsampling keeps the strongest responses and makes
/// the map smaller; channels are pooled separately. No parameters.
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>, <paramref name="padding"/> (counted as −∞) to 0.</summary>
    public MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null)
    {
        var (s, p) = Pool2dArgs.Check("MaxPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = s;
        Padding = p;
    }

    /// <summary>The window size.</summary>
    public Size2d KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Size2d Stride { get; }

    /// <summary>The padding on each side (at most half the kernel).</summary>
    public Size2d Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Pool2dArgs.CheckInput(this, input);
        try { return input.MaxPool2d(KernelSize.ToTuple(), Stride.ToTuple(), Padding.ToTuple()); }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>E.g. <c>MaxPool2d(2x2)</c> or <c>MaxPool2d(3x3, stride 2, pad 1)</c>.</summary>
    public override string Describe() => Pool2dArgs.Describe("MaxPool2d", KernelSize, Stride, Padding);
}
