namespace Nabla.Kernels;

/// <summary>
/// The shape of one 2-D pooling: input [N,C,H,W], output [N,C,OH,OW], with OH = ⌊(H + 2·ph − KH) / sh⌋ + 1 and
/// likewise OW (PyTorch's floor rule), or with <see cref="CeilMode"/> OH = ⌈(H + 2·ph − KH) / sh⌉ + 1, less one if the
/// last window would start past the input and its top padding (oh·sh ≥ H + ph), as PyTorch's <c>ceil_mode</c>. No dilation.
/// </summary>
/// <remarks>
/// Validated on construction. As in PyTorch, padding may be at most half the kernel, so every window holds at least
/// one real input element; in ceil mode the last window may reach past the padded border (it is cut there).
/// </remarks>
public readonly record struct Pool2dGeometry
{
    /// <summary>Creates and validates a geometry.</summary>
    /// <param name="batch">N (≥ 1).</param>
    /// <param name="channels">C (≥ 1).</param>
    /// <param name="height">H (≥ 1).</param>
    /// <param name="width">W (≥ 1).</param>
    /// <param name="kernelH">KH (≥ 1).</param>
    /// <param name="kernelW">KW (≥ 1).</param>
    /// <param name="strideH">sh (≥ 1); PyTorch's default is the kernel height.</param>
    /// <param name="strideW">sw (≥ 1); PyTorch's default is the kernel width.</param>
    /// <param name="padH">ph, 0 ≤ ph ≤ KH / 2.</param>
    /// <param name="padW">pw, 0 ≤ pw ≤ KW / 2.</param>
    /// <param name="ceilMode">True to round the output size up (PyTorch's <c>ceil_mode</c>): a last, partial window covers the remaining rows and columns.</param>
    /// <exception cref="ArgumentException">A value is out of range or the output would be empty.</exception>
    public Pool2dGeometry(int batch, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH = 0, int padW = 0, bool ceilMode = false)
    {
        Positive(batch, "batch size");
        Positive(channels, "channels");
        Positive(height, "input height");
        Positive(width, "input width");
        Positive(kernelH, "kernel height");
        Positive(kernelW, "kernel width");
        Positive(strideH, "stride height");
        Positive(strideW, "stride width");
        if (padH < 0 || padH > kernelH / 2)
            throw new ArgumentException($"Pool2d: padding height {padH} must be between 0 and half the kernel height ({kernelH / 2}).", nameof(padH));
        if (padW < 0 || padW > kernelW / 2)
            throw new ArgumentException($"Pool2d: padding width {padW} must be between 0 and half the kernel width ({kernelW / 2}).", nameof(padW));
        if (kernelH > height + 2L * padH)
            throw new ArgumentException($"Pool2d: kernel height {kernelH} exceeds padded input height {height + 2L * padH}.", nameof(kernelH));
        if (kernelW > width + 2L * padW)
            throw new ArgumentException($"Pool2d: kernel width {kernelW} exceeds padded input width {width + 2L * padW}.", nameof(kernelW));
        if ((long)batch * channels * height * width > int.MaxValue)
            throw new ArgumentException($"Pool2d: input of {(long)batch * channels * height * width} elements exceeds {int.MaxValue}.", nameof(batch));
        Batch = batch; Channels = channels; Height = height; Width = width; KernelH = kernelH; KernelW = kernelW;
        StrideH = strideH; StrideW = strideW; PadH = padH; PadW = padW; CeilMode = ceilMode;
        OutHeight = OutputSize(height, kernelH, strideH, padH, ceilMode);
        OutWidth = OutputSize(width, kernelW, strideW, padW, ceilMode);
    }

    // PyTorch's pooling_output_shape without dilation; the span H + 2p − K is ≥ 0 (checked)
    private static int OutputSize(int size, int kernel, int stride, int pad, bool ceil)
    {
        int span = size + 2 * pad - kernel;
        int output = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (output - 1) * stride >= size + pad) output--; // the last window must start inside the input or its top/left padding
        return output;
    }

    private static void Positive(int value, string what)
    {
        if (value < 1) throw new ArgumentException($"Pool2d: {what} {value} must be at least 1.", what);
    }

    /// <summary>N, the number of samples.</summary>
    public int Batch { get; }
    /// <summary>C, the channels (pooling never mixes them).</summary>
    public int Channels { get; }
    /// <summary>H, the input height.</summary>
    public int Height { get; }
    /// <summary>W, the input width.</summary>
    public int Width { get; }
    /// <summary>KH, the window height.</summary>
    public int KernelH { get; }
    /// <summary>KW, the window width.</summary>
    public int KernelW { get; }
    /// <summary>sh, the vertical stride.</summary>
    public int StrideH { get; }
    /// <summary>sw, the horizontal stride.</summary>
    public int StrideW { get; }
    /// <summary>ph, the padding above and below.</summary>
    public int PadH { get; }
    /// <summary>pw, the padding left and right.</summary>
    public int PadW { get; }
    /// <summary>Whether the output size was rounded up (PyTorch's <c>ceil_mode</c>).</summary>
    public bool CeilMode { get; }
    /// <summary>OH, the output height.</summary>
    public int OutHeight { get; }
    /// <summary>OW, the output width.</summary>
    public int OutWidth { get; }
    /// <summary>N·C·H·W, the length of the input.</summary>
    public int InputLength => Batch * Channels * Height * Width;
    /// <summary>N·C·OH·OW, the length of the output (and of the max-pooling argmax indices).</summary>
    public int OutputLength => Batch * Channels * OutHeight * OutWidth;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Pool2d(N={Batch}, C={Channels}, H={Height}, W={Width}, kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW}, pad={PadH}x{PadW}{(CeilMode ? ", ceil" : "")})";
}
