namespace Nabla.Kernels;

/// <summary>
/// The shape of one 2-D convolution: input [N,C,H,W], weight [K, C/groups, KH, KW], output [N,K,OH,OW], with
/// OH = ⌊(H + 2·ph − dh·(KH−1) − 1) / sh⌋ + 1 and likewise OW (PyTorch's floor rule).
/// </summary>
/// <remarks>
/// Validated on construction; every property is read-only, so a value of this type is always a legal geometry.
/// Channels are split into <see cref="Groups"/> groups: output channel k reads only the input channels of group
/// k / (K/groups). Groups == C == K is a depthwise convolution.
/// </remarks>
public readonly record struct Conv2dGeometry
{
    /// <summary>Creates and validates a geometry.</summary>
    /// <param name="batch">N, the number of samples (≥ 1).</param>
    /// <param name="inChannels">C, the input channels (≥ 1, divisible by <paramref name="groups"/>).</param>
    /// <param name="height">H, the input height (≥ 1).</param>
    /// <param name="width">W, the input width (≥ 1).</param>
    /// <param name="outChannels">K, the output channels (≥ 1, divisible by <paramref name="groups"/>).</param>
    /// <param name="kernelH">KH, the kernel height (≥ 1).</param>
    /// <param name="kernelW">KW, the kernel width (≥ 1).</param>
    /// <param name="strideH">sh (≥ 1).</param>
    /// <param name="strideW">sw (≥ 1).</param>
    /// <param name="padH">ph, zero rows added above and below (≥ 0).</param>
    /// <param name="padW">pw, zero columns added left and right (≥ 0).</param>
    /// <param name="dilationH">dh, the spacing of kernel rows (≥ 1).</param>
    /// <param name="dilationW">dw, the spacing of kernel columns (≥ 1).</param>
    /// <param name="groups">The number of channel groups (≥ 1).</param>
    /// <exception cref="ArgumentException">A value is out of range or the output would be empty.</exception>
    public Conv2dGeometry(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0, int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        Positive(batch, "batch size");
        Positive(inChannels, "in channels");
        Positive(height, "input height");
        Positive(width, "input width");
        Positive(outChannels, "out channels");
        Positive(kernelH, "kernel height");
        Positive(kernelW, "kernel width");
        Positive(strideH, "stride height");
        Positive(strideW, "stride width");
        Positive(dilationH, "dilation height");
        Positive(dilationW, "dilation width");
        Positive(groups, "groups");
        if (padH < 0) throw new ArgumentException($"Conv2d: padding height {padH} must be at least 0.", nameof(padH));
        if (padW < 0) throw new ArgumentException($"Conv2d: padding width {padW} must be at least 0.", nameof(padW));
        if (inChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in channels {inChannels} not divisible by groups {groups}.", nameof(inChannels));
        if (outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: out channels {outChannels} not divisible by groups {groups}.", nameof(outChannels));
        long extentH = (long)dilationH * (kernelH - 1) + 1, extentW = (long)dilationW * (kernelW - 1) + 1;
        if (extentH > height + 2L * padH)
            throw new ArgumentException(
                $"Conv2d: dilated kernel height {extentH} exceeds padded input height {height + 2L * padH}.", nameof(kernelH));
        if (extentW > width + 2L * padW)
            throw new ArgumentException(
                $"Conv2d: dilated kernel width {extentW} exceeds padded input width {width + 2L * padW}.", nameof(kernelW));

        Batch = batch; InChannels = inChannels; Height = height; Width = width; OutChannels = outChannels;
        KernelH = kernelH; KernelW = kernelW; StrideH = strideH; StrideW = strideW; PadH = padH; PadW = padW;
        DilationH = dilationH; DilationW = dilationW; Groups = groups;
        OutHeight = (int)((height + 2L * padH - extentH) / strideH + 1);
        OutWidth = (int)((width + 2L * padW - extentW) / strideW + 1);
        long input = (long)batch * inChannels * height * width;
        long weight = (long)outChannels * (inChannels / groups) * kernelH * kernelW;
        long output = (long)batch * outChannels * OutHeight * OutWidth;
        long col = (long)(inChannels / groups) * kernelH * kernelW * OutHeight * OutWidth;
        if (input > int.MaxValue || weight > int.MaxValue || output > int.MaxValue || col > int.MaxValue)
            throw new ArgumentException($"Conv2d: geometry {this} has a buffer larger than {int.MaxValue} elements.");
    }

    private static void Positive(int value, string what)
    {
        if (value < 1) throw new ArgumentException($"Conv2d: {what} {value} must be at least 1.", what);
    }

    /// <summary>N, the number of samples.</summary>
    public int Batch { get; }
    /// <summary>C, the input channels.</summary>
    public int InChannels { get; }
    /// <summary>H, the input height.</summary>
    public int Height { get; }
    /// <summary>W, the input width.</summary>
    public int Width { get; }
    /// <summary>K, the output channels.</summary>
    public int OutChannels { get; }
    /// <summary>KH, the kernel height.</summary>
    public int KernelH { get; }
    /// <summary>KW, the kernel width.</summary>
    public int KernelW { get; }
    /// <summary>sh, the vertical stride.</summary>
    public int StrideH { get; }
    /// <summary>sw, the horizontal stride.</summary>
    public int StrideW { get; }
    /// <summary>ph, the zero padding above and below.</summary>
    public int PadH { get; }
    /// <summary>pw, the zero padding left and right.</summary>
    public int PadW { get; }
    /// <summary>dh, the vertical dilation.</summary>
    public int DilationH { get; }
    /// <summary>dw, the horizontal dilation.</summary>
    public int DilationW { get; }
    /// <summary>The number of channel groups.</summary>
    public int Groups { get; }
    /// <summary>OH, the output height.</summary>
    public int OutHeight { get; }
    /// <summary>OW, the output width.</summary>
    public int OutWidth { get; }

    /// <summary>C / groups, the input channels each output channel reads.</summary>
    public int InChannelsPerGroup => InChannels / Groups;
    /// <summary>K / groups, the output channels of each group.</summary>
    public int OutChannelsPerGroup => OutChannels / Groups;
    /// <summary>N·C·H·W, the length of the input.</summary>
    public int InputLength => Batch * InChannels * Height * Width;
    /// <summary>K·(C/groups)·KH·KW, the length of the weight.</summary>
    public int WeightLength => OutChannels * InChannelsPerGroup * KernelH * KernelW;
    /// <summary>N·K·OH·OW, the length of the output.</summary>
    public int OutputLength => Batch * OutChannels * OutHeight * OutWidth;
    /// <summary>True for a depthwise-style convolution: each output channel reads exactly one input channel (C == groups).</summary>
    public bool IsDepthwise => Groups == InChannels;
    /// <summary>True when the convolution is a plain channel mix (1×1 kernel, stride 1, no padding), which needs no im2col.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d(N={Batch}, C={InChannels}, H={Height}, W={Width}, K={OutChannels}, kernel={KernelH}x{KernelW}, " +
        $"stride={StrideH}x{StrideW}, pad={PadH}x{PadW}, dilation={DilationH}x{DilationW}, groups={Groups})";
}
