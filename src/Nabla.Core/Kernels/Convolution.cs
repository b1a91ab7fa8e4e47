using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch) over NCHW spans, forward and both backward passes.
/// </summary>
/// <remarks>
/// <para>
/// Shapes (see <see cref="Conv2dGeometry"/>): input x [N,C,H,W], weight w [K, C/groups, KH, KW], bias b [K],
/// output y [N,K,OH,OW], with
/// y[n,k,oh,ow] = b[k] + Σ_{c∈group(k), kh, kw} w[k, c − group start, kh, kw] · x[n, c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw]
/// (x is zero outside the image).
/// </para>
/// <para>
/// This class checks the arguments and picks the method: on AVX2/FMA (without AVX-512), the forward pass and input
/// gradient of 3×3 stride-1 single-group float convolutions with at least 16 channels each way run as Winograd
/// F(2×2, 3×3) (<see cref="ConvWinogradAvx2"/>), and their weight gradient, with at least 16 input and 32 output
/// channels, as F(3×3, 2×2) (<see cref="ConvWinogradWeightAvx2"/>); on the 128-bit path (NEON, x86 without AVX2)
/// the same forward pass and input gradient run as <see cref="ConvWinograd128"/>, and the weight gradient, with at least
/// 4 input channels, as <see cref="ConvWinogradWeight128"/>; with AVX-512 or AVX2/FMA, other stride-1
/// single-group float convolutions run as an implicit GEMM (<see cref="ConvDirect"/>);
/// depthwise-style convolutions (groups == C) with a depth multiplier K/C
/// below 8 use direct loops (<see cref="ConvDepthwise"/>), since im2col + GEMM with a one-channel reduction is mostly
/// copying; everything else is im2col + GEMM per sample and group, parallel over the batch, with col2im for the input
/// gradient (<see cref="ConvGemm"/>; a 1×1, stride-1, unpadded convolution multiplies the image directly).
/// </para>
/// <para>
/// Determinism: every output element is computed by exactly one thread in a fixed order, and the weight gradient sums
/// the batch in chunks fixed by the geometry alone (never by the thread count), reduced in chunk order. All results are
/// therefore bit-identical for any <see cref="Tensors.Threads.Max"/>.
/// </para>
/// <para>Workspace comes from <see cref="ArrayPool{T}.Shared"/>, so steady-state calls allocate no buffers.</para>
/// </remarks>
public static class Convolution
{
    // Depthwise-style convolutions (each output channel reads one input channel) with a small depth multiplier use
    // direct loops: as a GEMM they would have fewer rows than a micro-kernel tile and a reduction of only KH·KW.
    // With many outputs per input channel (e.g. a first layer 1 -> 32), im2col + GEMM is faster again.
    private const int DirectMaxMultiplier = 8;

    private static bool UseDirect(in Conv2dGeometry g) => g.IsDepthwise && g.Groups > 1 && g.OutChannelsPerGroup < DirectMaxMultiplier;

    /// <summary>Forward pass: y = conv(x, w) + b.</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="weight">w, [K, C/groups, KH, KW].</param>
    /// <param name="bias">b, [K]; empty for no bias.</param>
    /// <param name="output">y, [N,K,OH,OW]; overwritten.</param>
    public static unsafe void Conv2dForward<T>(in Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
        ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(weight.Length, g.WeightLength, "weight", "K·(C/groups)·KH·KW");
        if (!bias.IsEmpty) CheckLength(bias.Length, g.OutChannels, "bias", "K");
        CheckLength(output.Length, g.OutputLength, "output", "N·K·OH·OW");
        if (typeof(T) == typeof(float) && ConvWinogradAvx2.Applies(g))
        {
            fixed (T* px = input, pw = weight, pb = bias, py = output)
                ConvWinogradAvx2.Forward(g, (float*)px, (float*)pw, (float*)pb, (float*)py);
        }
        else if (typeof(T) == typeof(float) && ConvWinograd128.Applies(g))
        {
            fixed (T* px = input, pw = weight, pb = bias, py = output)
                ConvWinograd128.Forward(g, (float*)px, (float*)pw, (float*)pb, (float*)py);
        }
        else if (typeof(T) == typeof(float) && ConvDirect.Applies(g))
        {
            fixed (T* px = input, pw = weight, pb = bias, py = output)
                ConvDirect.Forward(g, (float*)px, (float*)pw, (float*)pb, (float*)py);
        }
        else if (UseDirect(g)) ConvDepthwise.Forward(g, input, weight, bias, output);
        else ConvGemm.Forward(g, input, weight, bias, output);
    }

    /// <summary>Input gradient: dx = convᵀ(dy, w), the adjoint of <see cref="Conv2dForward{T}"/> in x.</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="dOutput">dy, [N,K,OH,OW].</param>
    /// <param name="weight">w, [K, C/groups, KH, KW].</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/> (dx += …); false to overwrite it.</param>
    public static unsafe void Conv2dBackwardInput<T>(in Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·K·OH·OW");
        CheckLength(weight.Length, g.WeightLength, "weight", "K·(C/groups)·KH·KW");
        CheckLength(dInput.Length, g.InputLength, "input gradient", "N·C·H·W");
        if (typeof(T) == typeof(float) && ConvWinogradAvx2.AppliesBackwardInput(g))
        {
            fixed (T* pdy = dOutput, pw = weight, pdx = dInput)
                ConvWinogradAvx2.BackwardInput(g, (float*)pdy, (float*)pw, (float*)pdx, accumulate);
        }
        else if (typeof(T) == typeof(float) && ConvWinograd128.AppliesBackwardInput(g))
        {
            fixed (T* pdy = dOutput, pw = weight, pdx = dInput)
                ConvWinograd128.BackwardInput(g, (float*)pdy, (float*)pw, (float*)pdx, accumulate);
        }
        else if (typeof(T) == typeof(float) && ConvDirect.AppliesBackwardInput(g))
        {
            fixed (T* pdy = dOutput, pw = weight, pdx = dInput)
                ConvDirect.BackwardInput(g, (float*)pdy, (float*)pw, (float*)pdx, accumulate);
        }
        else if (UseDirect(g)) ConvDepthwise.BackwardInput(g, dOutput, weight, dInput, accumulate);
        else ConvGemm.BackwardInput(g, dOutput, weight, dInput, accumulate);
    }

    /// <summary>
    /// Weight and bias gradients, accumulated: dw += Σ_n dy_n ⋆ x_n, db[k] += Σ_{n,oh,ow} dy[n,k,oh,ow].
    /// </summary>
    /// <param name="g">The geometry.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="dOutput">dy, [N,K,OH,OW].</param>
    /// <param name="dWeight">dw, [K, C/groups, KH, KW]; accumulated into.</param>
    /// <param name="dBias">db, [K], accumulated into; empty to skip the bias gradient.</param>
    public static unsafe void Conv2dBackwardWeight<T>(in Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
        Span<T> dWeight, Span<T> dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·K·OH·OW");
        CheckLength(dWeight.Length, g.WeightLength, "weight gradient", "K·(C/groups)·KH·KW");
        if (!dBias.IsEmpty) CheckLength(dBias.Length, g.OutChannels, "bias gradient", "K");
        if (typeof(T) == typeof(float) && ConvWinogradAvx2.AppliesBackwardWeight(g))
        {
            fixed (T* px = input, pdy = dOutput, pdw = dWeight)
                ConvWinogradWeightAvx2.BackwardWeight(g, (float*)px, (float*)pdy, (float*)pdw);
        }
        else if (typeof(T) == typeof(float) && ConvWinogradWeight128.Applies(g))
        {
            fixed (T* px = input, pdy = dOutput, pdw = dWeight)
                ConvWinogradWeight128.BackwardWeight(g, (float*)px, (float*)pdy, (float*)pdw);
        }
        else if (typeof(T) == typeof(float) && ConvDirect.AppliesBackwardWeight(g))
        {
            fixed (T* px = input, pdy = dOutput, pdw = dWeight)
                ConvDirect.BackwardWeight(g, (float*)px, (float*)pdy, (float*)pdw);
        }
        else if (UseDirect(g)) ConvDepthwise.BackwardWeight(g, input, dOutput, dWeight);
        else ConvGemm.BackwardWeight(g, input, dOutput, dWeight);
        if (!dBias.IsEmpty) ConvGemm.BiasGradient(g, dOutput, dBias);
    }

    // ---------------------------------------------------------------- validation

    private static void CheckGeometry(in Conv2dGeometry g)
    {
        if (g.Batch == 0)
            throw new ArgumentException("Conv2d: geometry is uninitialized (default); construct it with its constructor.", nameof(g));
    }

    private static void CheckLength(int actual, int expected, string what, string formula)
    {
        if (actual != expected)
            throw new ArgumentException($"Conv2d: {what} length {actual} does not match {formula} = {expected}.", what);
    }
}
