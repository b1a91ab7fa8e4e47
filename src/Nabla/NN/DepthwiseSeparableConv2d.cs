using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A depthwise separable convolution, the lectures' two-step replacement for a standard convolution: first a
/// <b>depthwise</b> F×F convolution filters every input channel on its own (groups = C, <c>depthMultiplier</c> filters
/// per channel, no summing across channels), then a <b>pointwise</b> 1×1 convolution mixes the C·m filtered maps into
/// K output channels. For a 12×12×3 input, 5×5 kernels and 256 outputs that is 5·5·3·8·8 = 4,800 plus
/// 3·8·8·256 = 49,152 multiplications instead of 5·5·3·8·8·256 = 1,228,800.
/// </summary>
/// <remarks>
/// Only the pointwise step has a bias (as in Keras' SeparableConv2D): a depthwise bias would pass through the linear
/// pointwise step as a constant per output channel, which the pointwise bias already provides.
/// Parameters: C·m·F·F + (C·m + 1)·K with bias.
/// </remarks>
public sealed class DepthwiseSeparableConv2d : Module
{
    /// <summary>Creates the two convolutions, initialized like <see cref="Conv2d"/> from <paramref name="generator"/>.</summary>
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null,
        Size2d? padding = null, int depthMultiplier = 1, bool bias = true, Generator? generator = null)
    {
        if (depthMultiplier <= 0)
            throw new ValueException($"DepthwiseSeparableConv2d({inChannels} → {outChannels}, {kernelSize}): the depth multiplier must be positive, got {depthMultiplier}");
        if (inChannels <= 0)
            throw new ValueException($"DepthwiseSeparableConv2d({inChannels} → {outChannels}, {kernelSize}): channel counts must be positive");
        DepthMultiplier = depthMultiplier;
        Depthwise = new Conv2d(inChannels, inChannels * depthMultiplier, kernelSize, stride, padding, groups: inChannels, bias: false, generator: generator);
        Pointwise = new Conv2d(inChannels * depthMultiplier, outChannels, 1, bias: bias, generator: generator);
    }

    /// <summary>The per-channel F×F convolution (groups = C), without bias.</summary>
    public Conv2d Depthwise { get; }

    /// <summary>The 1×1 convolution combining the filtered channels.</summary>
    public Conv2d Pointwise { get; }

    /// <summary>C, the input channels.</summary>
    public int InChannels => Depthwise.InChannels;

    /// <summary>K, the output channels.</summary>
    public int OutChannels => Pointwise.OutChannels;

    /// <summary>m, the depthwise filters per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>The depthwise filter size.</summary>
    public Size2d KernelSize => Depthwise.KernelSize;

    /// <summary>The depthwise stride.</summary>
    public Size2d Stride => Depthwise.Stride;

    /// <summary>The depthwise zero padding.</summary>
    public Size2d Padding => Depthwise.Padding;

    /// <summary>True if the pointwise step has a bias.</summary>
    public bool HasBias => Pointwise.Bias is not null;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ShapeException($"{Describe()}: expected input [N,{InChannels},H,W], got {input.Shape}");
        return ForwardChild(Pointwise, ForwardChild(Depthwise, input));
    }

    /// <summary>E.g. <c>DepthwiseSeparableConv2d(3 → 256, 5x5)</c>.</summary>
    public override string Describe()
    {
        var parts = new List<string> { $"{InChannels} → {OutChannels}", KernelSize.ToString() };
        if (Stride != new Size2d(1, 1)) parts.Add($"stride {Stride.ToShortString()}");
        if (Padding != new Size2d(0, 0)) parts.Add($"pad {Padding.ToShortString()}");
        if (DepthMultiplier != 1) parts.Add($"depth ×{DepthMultiplier}");
        if (!HasBias) parts.Add("no bias");
        return $"DepthwiseSeparableConv2d({string.Join(", ", parts)})";
    }
}
