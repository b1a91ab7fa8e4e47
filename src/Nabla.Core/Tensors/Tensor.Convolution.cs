using Nabla.Errors;
using Nabla.Kernels;

namespace Nabla.Tensors;

// Convolution and pooling over [N,C,H,W] tensors, each forward beside its backward (the kernels in Nabla.Kernels).
public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in every deep-learning library) of <paramref name="input"/> [N,C,H,W] with
    /// <paramref name="weight"/> [K, C/groups, KH, KW] plus <paramref name="bias"/> [K]; output [N,K,OH,OW] with
    /// OH = ⌊(H + 2p − d(KH−1) − 1)/s⌋ + 1. Backward gives the input gradient (col2im) and the weight and bias gradients.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, (int H, int W)? stride = null,
        (int H, int W)? padding = null, (int H, int W)? dilation = null, int groups = 1)
    {
        if (input.Rank != 4) throw new ShapeException($"conv2d: input must be [N,C,H,W], got {input.Shape}");
        if (weight.Rank != 4) throw new ShapeException($"conv2d: weight must be [K,C/groups,KH,KW], got {weight.Shape}");
        input.CheckSameDType(weight, "conv2d");
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);
        int c = input.Shape[1], k = weight.Shape[0];
        if (weight.Shape[1] * groups != c)
            throw new ShapeException($"conv2d: input has {c} channels but weight {weight.Shape} with groups={groups} expects {weight.Shape[1] * groups}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != k))
            throw new ShapeException($"conv2d: bias must be [{k}], got {bias.Shape}");
        Conv2dGeometry g;
        try
        {
            g = new Conv2dGeometry(input.Shape[0], c, input.Shape[2], input.Shape[3], k, weight.Shape[2], weight.Shape[3], sh, sw, ph, pw, dh, dw, groups);
        }
        catch (ArgumentException e) { throw new ShapeException($"conv2d: input {input.Shape}, weight {weight.Shape}: {e.Message}"); }
        var y = Uninitialized(Shape.Wrap([g.Batch, k, g.OutHeight, g.OutWidth]), input.DType); // the kernel writes every element
        DTypeDispatch.Run(input.DType, new Conv2dAction(Conv2dPass.Forward, g, input, weight, bias, y, false));
        var inputs = bias is null ? new[] { input, weight } : new[] { input, weight, bias };
        bool rec = false;
        foreach (var t in inputs) rec |= Recording(t);
        if (rec)
            y.Record("conv2d", inputs, grad =>
            {
                // Gradients go straight into their destinations (added to an existing gradient, or overwriting a fresh one).
                if (input.GradSink(out bool addX) is { } dx)
                    DTypeDispatch.Run(dx.DType, new Conv2dAction(Conv2dPass.InputGrad, g, grad, weight, null, dx, addX));
                if (weight.RequiresGrad || (bias?.RequiresGrad ?? false))
                {
                    // The weight kernel accumulates (dW += ..., dB += ...); a fresh destination is cleared first, and a
                    // gradient that is not wanted goes to a scratch tensor.
                    var dW = weight.GradSink(out bool addW) ?? Empty(weight.Shape, weight.DType);
                    if (!addW) dW.Zero();
                    Tensor? dB = null;
                    if (bias is not null)
                    {
                        dB = bias.GradSink(out bool addB) ?? Empty(bias.Shape, bias.DType);
                        if (!addB) dB.Zero();
                    }
                    DTypeDispatch.Run(dW.DType, new Conv2dAction(Conv2dPass.WeightGrad, g, input, grad, dB, dW, true));
                }
            });
        return y;
    }

    /// <summary>
    /// Max pooling over [N,C,H,W] windows (padding counts as −∞). Backward routes each gradient to the window's
    /// maximum (the first in row-major order on ties), like the max gate. With <paramref name="ceilMode"/> the output
    /// size is rounded up, as PyTorch's <c>ceil_mode</c> (see <see cref="Pool2dGeometry"/>).
    /// </summary>
    public Tensor MaxPool2d((int H, int W) kernel, (int H, int W)? stride = null, (int H, int W)? padding = null, bool ceilMode = false)
        => MaxPool2dCore(kernel, stride, padding, ceilMode, out _, keepIndices: false);

    /// <summary>
    /// Max pooling that also returns where each maximum was (PyTorch's <c>return_indices=True</c>): for every output
    /// element, in the output's row-major order [N,C,OH,OW], the index ih·W + iw of the chosen input element within
    /// its own H×W plane. Otherwise the same as <see cref="MaxPool2d"/>, gradient included.
    /// </summary>
    public (Tensor Output, int[] Indices) MaxPool2dWithIndices((int H, int W) kernel, (int H, int W)? stride = null,
        (int H, int W)? padding = null, bool ceilMode = false)
    {
        var y = MaxPool2dCore(kernel, stride, padding, ceilMode, out var indices, keepIndices: true);
        return (y, indices!);
    }

    private Tensor MaxPool2dCore((int H, int W) kernel, (int H, int W)? stride, (int H, int W)? padding, bool ceilMode,
        out int[]? indices, bool keepIndices)
    {
        var x = this;
        var g = PoolGeometry("max_pool2d", kernel, stride, padding, ceilMode);
        var y = Uninitialized(Shape.Wrap([g.Batch, g.Channels, g.OutHeight, g.OutWidth]), DType);
        // The argmax indices live in the bits of a float32 tensor, so that they share the step's recycled storage
        // (and its use-after-recycle check) instead of allocating a large int array per call.
        var argmax = Uninitialized(y.Shape, DType.Float32);
        DTypeDispatch.Run(DType, new PoolAction(PoolPass.MaxForward, g, x, y, argmax, false, false));
        indices = keepIndices ? Indices(argmax).ToArray() : null;
        if (Recording(x))
            y.Record("max_pool2d", [x], grad =>
            {
                if (x.GradSink(out bool add) is { } dx) DTypeDispatch.Run(DType, new PoolAction(PoolPass.MaxBackward, g, grad, dx, argmax, false, add));
            });
        return y;
    }

    private static Span<int> Indices(Tensor bits) => System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(bits.AsSpan<float>());

    /// <summary>
    /// Average pooling over [N,C,H,W] windows. With <paramref name="countIncludePad"/> (the default, as PyTorch) padded
    /// zeros count in the mean (the divisor is KH·KW, cut at the padded border for a last ceil-mode window); without it
    /// the divisor is the number of real elements in the window (PyTorch's <c>count_include_pad=False</c>). With
    /// <paramref name="ceilMode"/> the output size is rounded up, as PyTorch's <c>ceil_mode</c>.
    /// </summary>
    public Tensor AvgPool2d((int H, int W) kernel, (int H, int W)? stride = null, (int H, int W)? padding = null, bool countIncludePad = true,
        bool ceilMode = false)
    {
        var x = this;
        var g = PoolGeometry("avg_pool2d", kernel, stride, padding, ceilMode);
        var y = Empty(Shape.Wrap([g.Batch, g.Channels, g.OutHeight, g.OutWidth]), DType);
        DTypeDispatch.Run(DType, new PoolAction(PoolPass.AvgForward, g, x, y, null, countIncludePad, false));
        if (Recording(x))
            y.Record("avg_pool2d", [x], grad =>
            {
                var dx = EmptyLike(x);
                DTypeDispatch.Run(DType, new PoolAction(PoolPass.AvgBackward, g, grad, dx, null, countIncludePad, false));
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>
    /// Adaptive average pooling to an output of <paramref name="outputSize"/> (PyTorch's <c>adaptive_avg_pool2d</c>):
    /// [N,C,H,W] → [N,C,OH,OW], output row i averaging input rows ⌊i·H/OH⌋ … ⌈(i + 1)·H/OH⌉ − 1 (columns likewise).
    /// Backward spreads each gradient evenly over its window. (1, 1) is <see cref="GlobalAvgPool2d"/> kept 4-D.
    /// </summary>
    public Tensor AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        if (Rank != 4) throw new ShapeException($"adaptive_avg_pool2d: input must be [N,C,H,W], got {Shape}");
        if (outputSize.H < 1 || outputSize.W < 1)
            throw new ShapeException($"adaptive_avg_pool2d: output size {outputSize} must be positive");
        if (Numel == 0) throw new ShapeException($"adaptive_avg_pool2d: input {Shape} is empty");
        var x = this;
        int n = Shape[0], c = Shape[1], h = Shape[2], w = Shape[3], oh = outputSize.H, ow = outputSize.W;
        var y = Empty(Shape.Wrap([n, c, oh, ow]), DType);
        if (DType == DType.Float32) Pooling.AdaptiveAvgPool2dForward<float>(n, c, h, w, oh, ow, F, y.F);
        else Pooling.AdaptiveAvgPool2dForward<double>(n, c, h, w, oh, ow, D, y.D);
        if (Recording(x))
            y.Record("adaptive_avg_pool2d", [x], grad =>
            {
                var dx = EmptyLike(x);
                if (DType == DType.Float32) Pooling.AdaptiveAvgPool2dBackward<float>(n, c, h, w, oh, ow, grad.F, dx.F, accumulate: false);
                else Pooling.AdaptiveAvgPool2dBackward<double>(n, c, h, w, oh, ow, grad.D, dx.D, accumulate: false);
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>Mean over each channel's H×W plane: [N,C,H,W] → [N,C].</summary>
    public Tensor GlobalAvgPool2d()
    {
        if (Rank != 4) throw new ShapeException($"global_avg_pool2d: input must be [N,C,H,W], got {Shape}");
        var x = this;
        int n = Shape[0], c = Shape[1], h = Shape[2], w = Shape[3];
        var y = Empty(Shape.Wrap([n, c]), DType);
        DTypeDispatch.Run(DType, new GlobalAvgPoolAction(n, c, h, w, x, y, backward: false));
        if (Recording(x))
            y.Record("global_avg_pool2d", [x], grad =>
            {
                var dx = EmptyLike(x);
                DTypeDispatch.Run(DType, new GlobalAvgPoolAction(n, c, h, w, grad, dx, backward: true));
                x.AccumulateGrad(dx);
            });
        return y;
    }

    private Pool2dGeometry PoolGeometry(string op, (int H, int W) kernel, (int H, int W)? stride, (int H, int W)? padding, bool ceilMode)
    {
        if (Rank != 4) throw new ShapeException($"{op}: input must be [N,C,H,W], got {Shape}");
        var s = stride ?? kernel;
        var p = padding ?? (0, 0);
        try { return new Pool2dGeometry(Shape[0], Shape[1], Shape[2], Shape[3], kernel.H, kernel.W, s.H, s.W, p.H, p.W, ceilMode); }
        catch (ArgumentException e) { throw new ShapeException($"{op}: input {Shape}, kernel {kernel}: {e.Message}"); }
    }

    private enum Conv2dPass { Forward, InputGrad, WeightGrad }

    /// <summary>One convolution kernel on tensors a, b, (c) → output: forward (x, w, bias → y), input gradient
    /// (dy, w → dx, added when accumulate) or weight gradient (x, dy → dW, dB, both added).</summary>
    private readonly struct Conv2dAction(Conv2dPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor? c, Tensor output, bool accumulate) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Span<T> optional = c is null ? default : c.AsSpan<T>();
            switch (pass)
            {
                case Conv2dPass.Forward: Convolution.Conv2dForward<T>(g, a.AsSpan<T>(), b.AsSpan<T>(), optional, output.AsSpan<T>()); break;
                case Conv2dPass.InputGrad: Convolution.Conv2dBackwardInput<T>(g, a.AsSpan<T>(), b.AsSpan<T>(), output.AsSpan<T>(), accumulate); break;
                default: Convolution.Conv2dBackwardWeight<T>(g, a.AsSpan<T>(), b.AsSpan<T>(), output.AsSpan<T>(), optional); break;
            }
        }
    }

    private enum PoolPass { MaxForward, MaxBackward, AvgForward, AvgBackward }

    /// <summary>One pooling kernel, input → output (x → y forward, dy → dx backward); argmax holds max pooling's indices.</summary>
    private readonly struct PoolAction(PoolPass pass, Pool2dGeometry g, Tensor input, Tensor output, Tensor? argmax, bool countIncludePad, bool accumulate) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            switch (pass)
            {
                case PoolPass.MaxForward: Pooling.MaxPool2dForward<T>(g, input.AsSpan<T>(), output.AsSpan<T>(), Indices(argmax!)); break;
                case PoolPass.MaxBackward: Pooling.MaxPool2dBackward<T>(g, input.AsSpan<T>(), Indices(argmax!), output.AsSpan<T>(), accumulate); break;
                case PoolPass.AvgForward: Pooling.AvgPool2dForward<T>(g, input.AsSpan<T>(), output.AsSpan<T>(), countIncludePad); break;
                default: Pooling.AvgPool2dBackward<T>(g, input.AsSpan<T>(), output.AsSpan<T>(), countIncludePad, accumulate); break;
            }
        }
    }

    private readonly struct GlobalAvgPoolAction(int n, int c, int h, int w, Tensor input, Tensor output, bool backward) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            if (backward) Pooling.GlobalAvgPool2dBackward<T>(n, c, h, w, input.AsSpan<T>(), output.AsSpan<T>(), accumulate: false);
            else Pooling.GlobalAvgPool2dForward<T>(n, c, h, w, input.AsSpan<T>(), output.AsSpan<T>());
        }
    }
}
