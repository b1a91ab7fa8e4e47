using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// 2-D max, average, adaptive average and global average pooling over NCHW spans, forward and backward.
/// </summary>
/// <remarks>
/// Every (sample, channel) plane is independent and is handled by one thread, so results are bit-identical for any
/// <see cref="Tensors.Threads.Max"/>. Window (oh, ow) covers input rows oh·sh − ph … oh·sh − ph + KH − 1 and columns
/// likewise; padded positions are never read (see each method for what they count as).
/// </remarks>
public static class Pooling
{
    /// <summary>
    /// Max pooling: y[n,c,oh,ow] = max over the window of x[n,c,·,·]; padding counts as −∞ (never chosen).
    /// </summary>
    /// <remarks>
    /// <paramref name="argmax"/> receives, for every output, the index ih·W + iw of the chosen element within its input
    /// plane (PyTorch's convention). Ties go to the first maximum in row-major window order (top row first, then left to
    /// right). A NaN in the window propagates: the first NaN is chosen.
    /// </remarks>
    /// <param name="g">The geometry.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="output">y, [N,C,OH,OW]; overwritten.</param>
    /// <param name="argmax">[N,C,OH,OW]; overwritten with the in-plane index of each maximum, for the backward pass.</param>
    public static unsafe void MaxPool2dForward<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output, Span<int> argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(output.Length, g.OutputLength, "output", "N·C·OH·OW");
        CheckLength(argmax.Length, g.OutputLength, "argmax", "N·C·OH·OW");
        var geo = g;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth;
        fixed (T* px0 = input, py0 = output)
        fixed (int* pi0 = argmax)
        {
            T* px = px0, py = py0;
            int* pi = pi0;
            bool pairs = IsPairs(g);
            Parallelism.For(g.Batch * g.Channels, (long)g.Height * g.Width, plane =>
            {
                var x = new ReadOnlySpan<T>(px + (long)plane * hw, hw);
                var y = new Span<T>(py + (long)plane * p, p);
                var idx = new Span<int>(pi + (long)plane * p, p);
                if (pairs)
                {
                    MaxPool2x2Plane(geo, x, y, idx, (long)(geo.Batch * geo.Channels - plane) * hw);
                    return;
                }
                int w = geo.Width;
                for (int oh = 0; oh < geo.OutHeight; oh++)
                {
                    int h0 = oh * geo.StrideH - geo.PadH, hLo = Math.Max(h0, 0), hHi = Math.Min(h0 + geo.KernelH, geo.Height);
                    for (int ow = 0; ow < geo.OutWidth; ow++)
                    {
                        int w0 = ow * geo.StrideW - geo.PadW, wLo = Math.Max(w0, 0), wHi = Math.Min(w0 + geo.KernelW, w);
                        int best = hLo * w + wLo;
                        T bv = x[best];
                        for (int ih = hLo; ih < hHi; ih++)
                        {
                            var row = x.Slice(ih * w, w);
                            for (int iw = wLo; iw < wHi; iw++)
                            {
                                T v = row[iw];
                                // Strict '>' keeps the first of equal maxima; a NaN replaces a number but not an earlier NaN.
                                if (v > bv || (T.IsNaN(v) && !T.IsNaN(bv))) { bv = v; best = ih * w + iw; }
                            }
                        }
                        y[oh * geo.OutWidth + ow] = bv;
                        idx[oh * geo.OutWidth + ow] = best;
                    }
                }
            });
        }
    }

    // 2×2 windows with stride 2 and no padding, all whole (ceil mode may add a last, cut window: the general loop takes those)
    private static bool IsPairs(in Pool2dGeometry g)
        => g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 0 && g.PadW == 0
           && 2 * g.OutHeight <= g.Height && 2 * g.OutWidth <= g.Width;

    // The common 2×2 window with stride 2 and no padding, without data-dependent branches (on real activations the
    // position of a window's maximum is unpredictable, and a mispredicted branch per element cost more than the rest).
    // Same result as the general loop: the first maximum in row-major order, or the first NaN.
    // With AVX2 (float), whole rows run in MaxPool2x2Avx2 and the loops below do nothing.
    // readable: how many elements of the input buffer start at this plane (the vector tail may read past the plane).
    private static unsafe void MaxPool2x2Plane<T>(in Pool2dGeometry g, ReadOnlySpan<T> x, Span<T> y, Span<int> idx, long readable)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = g.Width, ow = g.OutWidth;
        bool simd = typeof(T) == typeof(float) && MaxPool2x2Avx2.IsSupported;
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            var top = x.Slice(2 * oh * w, w);
            var bottom = x.Slice((2 * oh + 1) * w, w);
            var yr = y.Slice(oh * ow, ow);
            var ir = idx.Slice(oh * ow, ow);
            int done = 0;
            if (simd)
                fixed (T* pt = top, py = yr)
                fixed (int* pi = ir)
                    done = MaxPool2x2Avx2.Forward((float*)pt, w, 2 * oh * w, (float*)py, pi, ow, readable - 2 * oh * w);
            for (int q = done; q < ow; q++)
            {
                // First maximum of each row pair, then the bottom one only if strictly larger (or the first NaN).
                // The values sit in lane 0 of vectors so that comparisons give masks, never branches.
                var a = Vector128.CreateScalarUnsafe(top[2 * q]);
                var b = Vector128.CreateScalarUnsafe(top[2 * q + 1]);
                var c = Vector128.CreateScalarUnsafe(bottom[2 * q]);
                var d = Vector128.CreateScalarUnsafe(bottom[2 * q + 1]);
                var upTakes = Takes(b, a);
                var downTakes = Takes(d, c);
                var up = Vector128.ConditionalSelect(upTakes, b, a);
                var down = Vector128.ConditionalSelect(downTakes, d, c);
                var rowTakes = Takes(down, up);
                yr[q] = Vector128.ConditionalSelect(rowTakes, down, up).ToScalar();
                int row = Bit(rowTakes), col = (Bit(upTakes) & ~-row) | (Bit(downTakes) & -row);
                ir[q] = (2 * oh + row) * w + 2 * q + col;
            }
        }
    }

    // All ones in lane 0 when candidate replaces current as the window's first maximum: strictly larger, or a NaN
    // replacing a number.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Takes<T>(Vector128<T> candidate, Vector128<T> current) where T : unmanaged, IFloatingPointIeee754<T>
        => Vector128.GreaterThan(candidate, current)
         | Vector128.AndNot(~Vector128.Equals(candidate, candidate), ~Vector128.Equals(current, current));

    // Lane 0 of a mask as 1 or 0 (the low 32 bits of a float or double lane).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Bit<T>(Vector128<T> mask) where T : unmanaged => mask.AsInt32().ToScalar() & 1;

    /// <summary>Max pooling backward: dx[n,c,argmax[n,c,oh,ow]] += dy[n,c,oh,ow] (overlapping windows add up).</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="dOutput">dy, [N,C,OH,OW].</param>
    /// <param name="argmax">The indices recorded by <see cref="MaxPool2dForward{T}"/>.</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/>; false to overwrite it.</param>
    public static unsafe void MaxPool2dBackward<T>(in Pool2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<int> argmax,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·C·OH·OW");
        CheckLength(argmax.Length, g.OutputLength, "argmax", "N·C·OH·OW");
        CheckLength(dInput.Length, g.InputLength, "input gradient", "N·C·H·W");
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth;
        fixed (T* pdy0 = dOutput, pdx0 = dInput)
        fixed (int* pi0 = argmax)
        {
            T* pdy = pdy0, pdx = pdx0;
            int* pi = pi0;
            var geo = g;
            bool pairs = typeof(T) == typeof(float) && MaxPool2x2Avx2.IsSupported && IsPairs(g);
            Parallelism.For(g.Batch * g.Channels, (long)g.Height * g.Width, plane =>
            {
                if (pairs)
                {
                    MaxPool2x2BackwardPlane(geo, (float*)(pdy + (long)plane * p), pi + (long)plane * p, (float*)(pdx + (long)plane * hw), accumulate,
                        (long)(geo.Batch * geo.Channels - plane) * p);
                    return;
                }
                var dy = new ReadOnlySpan<T>(pdy + (long)plane * p, p);
                var idx = new ReadOnlySpan<int>(pi + (long)plane * p, p);
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                if (!accumulate) dx.Clear();
                for (int q = 0; q < p; q++) dx[idx[q]] += dy[q];
            });
        }
    }

    // The 2×2 / stride-2 backward of one float plane, row by row: every input gradient is written once (dy at the
    // window's argmax, 0 elsewhere; an odd last row or column, in no window, gets 0), so there is no separate clear.
    // readable: how many elements of dy (and of the argmax) start at this plane.
    private static unsafe void MaxPool2x2BackwardPlane(in Pool2dGeometry g, float* dy, int* idx, float* dx, bool accumulate, long readable)
    {
        int w = g.Width, ow = g.OutWidth;
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            int topIndex = 2 * oh * w;
            float* dyr = dy + oh * ow, top = dx + topIndex;
            int* ir = idx + oh * ow;
            int q = MaxPool2x2Avx2.Backward(dyr, ir, ow, top, w, topIndex, accumulate, readable - oh * ow);
            for (; q < ow; q++)
            {
                int at = ir[q] - (topIndex + 2 * q);
                float v = dyr[q];
                float* t = top + 2 * q;
                if (accumulate)
                {
                    t[0] += at == 0 ? v : 0f; t[1] += at == 1 ? v : 0f;
                    t[w] += at == w ? v : 0f; t[w + 1] += at == w + 1 ? v : 0f;
                }
                else
                {
                    t[0] = at == 0 ? v : 0f; t[1] = at == 1 ? v : 0f;
                    t[w] = at == w ? v : 0f; t[w + 1] = at == w + 1 ? v : 0f;
                }
            }
            if (!accumulate && 2 * ow < w) { top[w - 1] = 0; top[2 * w - 1] = 0; }
        }
        if (!accumulate)
            new Span<float>(dx + 2 * g.OutHeight * w, (g.Height - 2 * g.OutHeight) * w).Clear();
    }

    /// <summary>
    /// Average pooling: y[n,c,oh,ow] = (Σ over the window of x) / divisor.
    /// </summary>
    /// <remarks>
    /// With <paramref name="countIncludePad"/> (PyTorch's default) padded positions count as zeros: the divisor is
    /// KH·KW, or, for a last ceil-mode window that reaches past the padded border, the part of it inside that border
    /// (PyTorch's rule). Without it the divisor is the number of real input elements in the window, so border outputs
    /// average only what they see.
    /// </remarks>
    /// <param name="g">The geometry.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="output">y, [N,C,OH,OW]; overwritten.</param>
    /// <param name="countIncludePad">Whether padded positions count in the divisor.</param>
    public static unsafe void AvgPool2dForward<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output,
        bool countIncludePad = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(output.Length, g.OutputLength, "output", "N·C·OH·OW");
        var geo = g;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth;
        fixed (T* px0 = input, py0 = output)
        {
            T* px = px0, py = py0;
            Parallelism.For(g.Batch * g.Channels, (long)g.Height * g.Width, plane =>
            {
                var x = new ReadOnlySpan<T>(px + (long)plane * hw, hw);
                var y = new Span<T>(py + (long)plane * p, p);
                int w = geo.Width;
                for (int oh = 0; oh < geo.OutHeight; oh++)
                {
                    int h0 = oh * geo.StrideH - geo.PadH, hLo = Math.Max(h0, 0), hHi = Math.Min(h0 + geo.KernelH, geo.Height);
                    for (int ow = 0; ow < geo.OutWidth; ow++)
                    {
                        int w0 = ow * geo.StrideW - geo.PadW, wLo = Math.Max(w0, 0), wHi = Math.Min(w0 + geo.KernelW, w);
                        T s = T.Zero;
                        for (int ih = hLo; ih < hHi; ih++)
                            for (int iw = wLo; iw < wHi; iw++) s += x[ih * w + iw];
                        y[oh * geo.OutWidth + ow] = s / Divisor<T>(geo, countIncludePad, h0, w0, hHi - hLo, wHi - wLo);
                    }
                }
            });
        }
    }

    /// <summary>
    /// Average pooling backward: every input element of a window receives dy / divisor, with the divisor of
    /// <see cref="AvgPool2dForward{T}"/> (overlapping windows add up).
    /// </summary>
    /// <param name="g">The geometry.</param>
    /// <param name="dOutput">dy, [N,C,OH,OW].</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="countIncludePad">Must match the forward pass.</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/>; false to overwrite it.</param>
    public static unsafe void AvgPool2dBackward<T>(in Pool2dGeometry g, ReadOnlySpan<T> dOutput, Span<T> dInput,
        bool countIncludePad, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·C·OH·OW");
        CheckLength(dInput.Length, g.InputLength, "input gradient", "N·C·H·W");
        var geo = g;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth;
        fixed (T* pdy0 = dOutput, pdx0 = dInput)
        {
            T* pdy = pdy0, pdx = pdx0;
            Parallelism.For(g.Batch * g.Channels, (long)g.Height * g.Width, plane =>
            {
                var dy = new ReadOnlySpan<T>(pdy + (long)plane * p, p);
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                if (!accumulate) dx.Clear();
                int w = geo.Width;
                for (int oh = 0; oh < geo.OutHeight; oh++)
                {
                    int h0 = oh * geo.StrideH - geo.PadH, hLo = Math.Max(h0, 0), hHi = Math.Min(h0 + geo.KernelH, geo.Height);
                    for (int ow = 0; ow < geo.OutWidth; ow++)
                    {
                        int w0 = ow * geo.StrideW - geo.PadW, wLo = Math.Max(w0, 0), wHi = Math.Min(w0 + geo.KernelW, w);
                        T v = dy[oh * geo.OutWidth + ow] / Divisor<T>(geo, countIncludePad, h0, w0, hHi - hLo, wHi - wLo);
                        for (int ih = hLo; ih < hHi; ih++)
                            for (int iw = wLo; iw < wHi; iw++) dx[ih * w + iw] += v;
                    }
                }
            });
        }
    }

    // With padding counted: the window cut at the padded border (KH·KW unless a ceil-mode window reaches past it), as
    // PyTorch; without: the real elements. h0, w0: the window's first row and column (negative inside the padding).
    private static T Divisor<T>(in Pool2dGeometry g, bool countIncludePad, int h0, int w0, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.CreateTruncating(countIncludePad
            ? (Math.Min(h0 + g.KernelH, g.Height + g.PadH) - h0) * (Math.Min(w0 + g.KernelW, g.Width + g.PadW) - w0)
            : rows * cols);

    /// <summary>Global average pooling: y[n,c] = (1 / (H·W)) · Σ_{h,w} x[n,c,h,w].</summary>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="output">y, [N,C]; overwritten.</param>
    public static unsafe void GlobalAvgPool2dForward<T>(int batch, int channels, int height, int width,
        ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = CheckGlobal(batch, channels, height, width);
        CheckGlobalLength(input.Length, batch * channels * hw, "input", "N·C·H·W");
        CheckGlobalLength(output.Length, batch * channels, "output", "N·C");
        T inv = T.One / T.CreateTruncating(hw);
        fixed (T* px0 = input, py0 = output)
        {
            T* px = px0, py = py0;
            Parallelism.For(batch * channels, hw, plane =>
            {
                var x = new ReadOnlySpan<T>(px + (long)plane * hw, hw);
                int i = 0;
                T s = T.Zero;
                if (Vector.IsHardwareAccelerated && hw >= Vector<T>.Count)
                {
                    var acc = Vector<T>.Zero;
                    for (; i <= hw - Vector<T>.Count; i += Vector<T>.Count) acc += new Vector<T>(x.Slice(i));
                    s = Vector.Sum(acc);
                }
                for (; i < hw; i++) s += x[i];
                py[plane] = s * inv;
            });
        }
    }

    /// <summary>Global average pooling backward: dx[n,c,h,w] += dy[n,c] / (H·W).</summary>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="dOutput">dy, [N,C].</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/>; false to overwrite it.</param>
    public static unsafe void GlobalAvgPool2dBackward<T>(int batch, int channels, int height, int width,
        ReadOnlySpan<T> dOutput, Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = CheckGlobal(batch, channels, height, width);
        CheckGlobalLength(dOutput.Length, batch * channels, "output gradient", "N·C");
        CheckGlobalLength(dInput.Length, batch * channels * hw, "input gradient", "N·C·H·W");
        T inv = T.One / T.CreateTruncating(hw);
        fixed (T* pdy0 = dOutput, pdx0 = dInput)
        {
            T* pdy = pdy0, pdx = pdx0;
            Parallelism.For(batch * channels, hw, plane =>
            {
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                T v = pdy[plane] * inv;
                if (!accumulate) { dx.Fill(v); return; }
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    var vv = new Vector<T>(v);
                    for (; i <= hw - Vector<T>.Count; i += Vector<T>.Count) (new Vector<T>(dx.Slice(i)) + vv).CopyTo(dx.Slice(i));
                }
                for (; i < hw; i++) dx[i] += v;
            });
        }
    }

    /// <summary>
    /// Adaptive average pooling to any output size OH×OW (PyTorch's <c>adaptive_avg_pool2d</c>): output row i averages
    /// input rows ⌊i·H/OH⌋ … ⌈(i + 1)·H/OH⌉ − 1, columns likewise, so the windows cover the input, differ in size by at
    /// most one, and overlap when H is not a multiple of OH (or OH &gt; H).
    /// y[n,c,i,j] = (Σ over the window of x) / (rows · columns of the window).
    /// </summary>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="outHeight">OH ≥ 1.</param>
    /// <param name="outWidth">OW ≥ 1.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="output">y, [N,C,OH,OW]; overwritten.</param>
    public static unsafe void AdaptiveAvgPool2dForward<T>(int batch, int channels, int height, int width, int outHeight, int outWidth,
        ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = CheckGlobal(batch, channels, height, width);
        CheckAdaptive(outHeight, outWidth, batch * channels);
        int p = outHeight * outWidth;
        CheckGlobalLength(input.Length, batch * channels * hw, "input", "N·C·H·W");
        CheckGlobalLength(output.Length, batch * channels * p, "output", "N·C·OH·OW");
        fixed (T* px0 = input, py0 = output)
        {
            T* px = px0, py = py0;
            Parallelism.For(batch * channels, hw, plane =>
            {
                var x = new ReadOnlySpan<T>(px + (long)plane * hw, hw);
                var y = new Span<T>(py + (long)plane * p, p);
                for (int i = 0; i < outHeight; i++)
                {
                    int h0 = WindowStart(i, height, outHeight), h1 = WindowEnd(i, height, outHeight);
                    for (int j = 0; j < outWidth; j++)
                    {
                        int w0 = WindowStart(j, width, outWidth), w1 = WindowEnd(j, width, outWidth);
                        T sum = T.Zero;
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++) sum += x[ih * width + iw];
                        y[i * outWidth + j] = sum / T.CreateTruncating(h1 - h0) / T.CreateTruncating(w1 - w0); // PyTorch's order
                    }
                }
            });
        }
    }

    /// <summary>Adaptive average pooling backward: every input element of a window receives dy / (its rows · columns); overlapping windows add up.</summary>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="outHeight">OH ≥ 1.</param>
    /// <param name="outWidth">OW ≥ 1.</param>
    /// <param name="dOutput">dy, [N,C,OH,OW].</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/>; false to overwrite it.</param>
    public static unsafe void AdaptiveAvgPool2dBackward<T>(int batch, int channels, int height, int width, int outHeight, int outWidth,
        ReadOnlySpan<T> dOutput, Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = CheckGlobal(batch, channels, height, width);
        CheckAdaptive(outHeight, outWidth, batch * channels);
        int p = outHeight * outWidth;
        CheckGlobalLength(dOutput.Length, batch * channels * p, "output gradient", "N·C·OH·OW");
        CheckGlobalLength(dInput.Length, batch * channels * hw, "input gradient", "N·C·H·W");
        fixed (T* pdy0 = dOutput, pdx0 = dInput)
        {
            T* pdy = pdy0, pdx = pdx0;
            Parallelism.For(batch * channels, hw, plane =>
            {
                var dy = new ReadOnlySpan<T>(pdy + (long)plane * p, p);
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                if (!accumulate) dx.Clear();
                for (int i = 0; i < outHeight; i++)
                {
                    int h0 = WindowStart(i, height, outHeight), h1 = WindowEnd(i, height, outHeight);
                    for (int j = 0; j < outWidth; j++)
                    {
                        int w0 = WindowStart(j, width, outWidth), w1 = WindowEnd(j, width, outWidth);
                        T v = dy[i * outWidth + j] / T.CreateTruncating(h1 - h0) / T.CreateTruncating(w1 - w0);
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++) dx[ih * width + iw] += v;
                    }
                }
            });
        }
    }

    // ⌊i·size/out⌋ and ⌈(i + 1)·size/out⌉, in integers (sizes are below 2³¹, their products below 2⁶³)
    private static int WindowStart(int i, int size, int output) => (int)((long)i * size / output);

    private static int WindowEnd(int i, int size, int output) => (int)(((long)(i + 1) * size + output - 1) / output);

    private static void CheckAdaptive(int outHeight, int outWidth, int planes)
    {
        if (outHeight < 1) throw new ArgumentException($"AdaptiveAvgPool2d: output height {outHeight} must be at least 1.", nameof(outHeight));
        if (outWidth < 1) throw new ArgumentException($"AdaptiveAvgPool2d: output width {outWidth} must be at least 1.", nameof(outWidth));
        if ((long)planes * outHeight * outWidth > int.MaxValue)
            throw new ArgumentException($"AdaptiveAvgPool2d: output of {(long)planes * outHeight * outWidth} elements exceeds {int.MaxValue}.", nameof(outHeight));
    }

    private static int CheckGlobal(int batch, int channels, int height, int width)
    {
        if (batch < 1) throw new ArgumentException($"GlobalAvgPool2d: batch size {batch} must be at least 1.", nameof(batch));
        if (channels < 1) throw new ArgumentException($"GlobalAvgPool2d: channels {channels} must be at least 1.", nameof(channels));
        if (height < 1) throw new ArgumentException($"GlobalAvgPool2d: input height {height} must be at least 1.", nameof(height));
        if (width < 1) throw new ArgumentException($"GlobalAvgPool2d: input width {width} must be at least 1.", nameof(width));
        if ((long)batch * channels * height * width > int.MaxValue)
            throw new ArgumentException($"GlobalAvgPool2d: input of {(long)batch * channels * height * width} elements exceeds {int.MaxValue}.", nameof(batch));
        return height * width;
    }

    private static void CheckGlobalLength(int actual, int expected, string what, string formula)
    {
        if (actual != expected)
            throw new ArgumentException($"GlobalAvgPool2d: {what} length {actual} does not match {formula} = {expected}.", what);
    }

    private static void CheckGeometry(in Pool2dGeometry g)
    {
        if (g.Batch == 0)
            throw new ArgumentException("Pool2d: geometry is uninitialized (default); construct it with its constructor.", nameof(g));
    }

    private static void CheckLength(int actual, int expected, string what, string formula)
    {
        if (actual != expected)
            throw new ArgumentException($"Pool2d: {what} length {actual} does not match {formula} = {expected}.", what);
    }
}
