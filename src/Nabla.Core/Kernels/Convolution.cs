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
/// Method: im2col + GEMM per sample and group, parallel over the batch; col2im for the input gradient. A 1×1, stride-1,
/// unpadded convolution multiplies the image directly (no im2col). Depthwise-style convolutions (groups == C) with a
/// depth multiplier K/C below 8 use direct loops, since im2col + GEMM with a one-channel reduction is mostly copying.
/// </para>
/// <para>
/// Determinism: every output element is computed by exactly one thread in a fixed order, and the weight gradient sums
/// the batch in chunks fixed by the geometry alone (never by the thread count), reduced in chunk order. All results are
/// therefore bit-identical for any <see cref="Parallelism.MaxThreads"/>.
/// </para>
/// <para>Workspace comes from <see cref="ArrayPool{T}.Shared"/>, so steady-state calls allocate no buffers.</para>
/// </remarks>
public static class Convolution
{
    // Target size of one weight-gradient chunk's im2col buffer (elements), and bounds on the number of chunks:
    // at least 8 so two cores stay busy, at most 16 so the partial weight gradients stay small.
    private const long ChunkColumnBudget = 1 << 18;
    private const int MinChunks = 8, MaxChunks = 16;

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
        if (typeof(T) == typeof(float) && ConvDirect.Applies(g))
        {
            fixed (T* px = input, pw = weight, pb = bias, py = output)
                ConvDirect.Forward(g, (float*)px, (float*)pw, (float*)pb, (float*)py);
        }
        else if (UseDirect(g)) DepthwiseForward(g, input, weight, bias, output);
        else GemmForward(g, input, weight, bias, output);
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
        if (typeof(T) == typeof(float) && ConvDirect.AppliesBackwardInput(g))
        {
            fixed (T* pdy = dOutput, pw = weight, pdx = dInput)
                ConvDirect.BackwardInput(g, (float*)pdy, (float*)pw, (float*)pdx, accumulate);
        }
        else if (UseDirect(g)) DepthwiseBackwardInput(g, dOutput, weight, dInput, accumulate);
        else GemmBackwardInput(g, dOutput, weight, dInput, accumulate);
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
        if (typeof(T) == typeof(float) && ConvDirect.Applies(g))
        {
            fixed (T* px = input, pdy = dOutput, pdw = dWeight)
                ConvDirect.BackwardWeight(g, (float*)px, (float*)pdy, (float*)pdw);
        }
        else if (UseDirect(g)) DepthwiseBackwardWeight(g, input, dOutput, dWeight);
        else GemmBackwardWeight(g, input, dOutput, dWeight);
        if (!dBias.IsEmpty) BiasGradient(g, dOutput, dBias);
    }

    // ---------------------------------------------------------------- im2col + GEMM

    // y_n,grp [Kg, P] = w_grp [Kg, CKK] · col_n,grp [CKK, P] (+ bias, pre-filled with beta = 1).
    private static unsafe void GemmForward<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
        ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, kg = g.OutChannelsPerGroup;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth, ckk = cg * g.KernelH * g.KernelW;
        int c = g.InChannels, k = g.OutChannels;
        bool pointwise = g.IsPointwise, hasBias = !bias.IsEmpty;
        fixed (T* px0 = input, pw0 = weight, pb0 = bias, py0 = output)
        {
            T* px = px0, pw = pw0, pb = pb0, py = py0;
            Parallelism.For(g.Batch, n =>
            {
                T[]? col = pointwise ? null : ArrayPool<T>.Shared.Rent(ckk * p);
                for (int grp = 0; grp < groups; grp++)
                {
                    var x = new ReadOnlySpan<T>(px + ((long)n * c + grp * cg) * hw, cg * hw);
                    var y = new Span<T>(py + ((long)n * k + grp * kg) * p, kg * p);
                    ReadOnlySpan<T> b;
                    if (col is null) b = x;
                    else
                    {
                        Im2Col(g, x, cg, col, p);
                        b = col.AsSpan(0, ckk * p);
                    }
                    if (hasBias)
                        for (int o = 0; o < kg; o++) y.Slice(o * p, p).Fill(pb[grp * kg + o]);
                    Gemm.Multiply(false, false, kg, p, ckk, T.One, new ReadOnlySpan<T>(pw + (long)grp * kg * ckk, kg * ckk), ckk,
                        b, p, hasBias ? T.One : T.Zero, y, p);
                }
                if (col is not null) ArrayPool<T>.Shared.Return(col);
            });
        }
    }

    // dcol [CKK, P] = w_grpᵀ · dy_n,grp [Kg, P], then col2im adds dcol into dx_n.
    private static unsafe void GemmBackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, kg = g.OutChannelsPerGroup;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth, ckk = cg * g.KernelH * g.KernelW;
        int c = g.InChannels, k = g.OutChannels;
        bool pointwise = g.IsPointwise;
        fixed (T* pdy0 = dOutput, pw0 = weight, pdx0 = dInput)
        {
            T* pdy = pdy0, pw = pw0, pdx = pdx0;
            Parallelism.For(g.Batch, n =>
            {
                var dxn = new Span<T>(pdx + (long)n * c * hw, c * hw);
                T[]? dcol = pointwise ? null : ArrayPool<T>.Shared.Rent(ckk * p);
                if (dcol is not null && !accumulate) dxn.Clear();
                for (int grp = 0; grp < groups; grp++)
                {
                    var w = new ReadOnlySpan<T>(pw + (long)grp * kg * ckk, kg * ckk);
                    var dy = new ReadOnlySpan<T>(pdy + ((long)n * k + grp * kg) * p, kg * p);
                    var dx = dxn.Slice(grp * cg * hw, cg * hw);
                    if (dcol is null)
                        Gemm.Multiply(true, false, cg, hw, kg, T.One, w, ckk, dy, p, accumulate ? T.One : T.Zero, dx, hw);
                    else
                    {
                        Gemm.Multiply(true, false, ckk, p, kg, T.One, w, ckk, dy, p, T.Zero, dcol, p);
                        Col2ImAdd(g, dcol, p, dx, cg);
                    }
                }
                if (dcol is not null) ArrayPool<T>.Shared.Return(dcol);
            });
        }
    }

    // The batch is cut into chunks fixed by the geometry. Per chunk of S samples (L = S·P columns):
    //   dyT [K, L]  = dy of the chunk, sample blocks side by side
    //   col [C·KH·KW, L] = im2col of each sample, side by side
    //   partial_grp [Kg, CKK] = dyT_grp · col_grpᵀ
    // and the partials are added into dw in chunk order, so the sum never depends on the thread count.
    private static unsafe void GemmBackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
        Span<T> dWeight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, kg = g.OutChannelsPerGroup;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth, ckk = cg * g.KernelH * g.KernelW;
        int c = g.InChannels, k = g.OutChannels, batch = g.Batch, wlen = g.WeightLength;
        int rows = c * g.KernelH * g.KernelW;
        bool pointwise = g.IsPointwise;
        var (chunkSize, chunks) = WeightChunks(g);
        T[]? partials = chunks > 1 ? ArrayPool<T>.Shared.Rent(chunks * wlen) : null;
        try
        {
            fixed (T* px0 = input, pdy0 = dOutput, pdw0 = dWeight)
            {
                T* px = px0, pdy = pdy0, pdw = pdw0;
                Parallelism.For(chunks, ci =>
                {
                    int n0 = ci * chunkSize, ns = Math.Min(chunkSize, batch - n0), l = ns * p;
                    // One sample needs no gathering of dy; one pointwise sample needs no im2col either.
                    T[]? dyT = ns == 1 ? null : ArrayPool<T>.Shared.Rent(k * l);
                    T[]? col = ns == 1 && pointwise ? null : ArrayPool<T>.Shared.Rent(rows * l);
                    ReadOnlySpan<T> dys, cols;
                    if (dyT is null) dys = new ReadOnlySpan<T>(pdy + (long)n0 * k * p, k * p);
                    else
                    {
                        for (int s = 0; s < ns; s++)
                            for (int o = 0; o < k; o++)
                                new ReadOnlySpan<T>(pdy + ((long)(n0 + s) * k + o) * p, p).CopyTo(dyT.AsSpan(o * l + s * p, p));
                        dys = dyT.AsSpan(0, k * l);
                    }
                    if (col is null) cols = new ReadOnlySpan<T>(px + (long)n0 * c * hw, c * hw);
                    else
                    {
                        for (int s = 0; s < ns; s++)
                        {
                            var xs = new ReadOnlySpan<T>(px + (long)(n0 + s) * c * hw, c * hw);
                            if (pointwise)
                                for (int ch = 0; ch < c; ch++) xs.Slice(ch * hw, hw).CopyTo(col.AsSpan(ch * l + s * p, p));
                            else Im2Col(g, xs, c, col.AsSpan(s * p), l);
                        }
                        cols = col.AsSpan(0, rows * l);
                    }
                    // A single chunk accumulates straight into dw (beta = 1); otherwise into its own partial.
                    Span<T> dst = partials is null ? new Span<T>(pdw, wlen) : partials.AsSpan(ci * wlen, wlen);
                    T beta = partials is null ? T.One : T.Zero;
                    for (int grp = 0; grp < groups; grp++)
                        Gemm.Multiply(false, true, kg, ckk, l, T.One, dys.Slice(grp * kg * l, kg * l), l,
                            cols.Slice(grp * ckk * l, ckk * l), l, beta, dst.Slice(grp * kg * ckk, kg * ckk), ckk);
                    if (dyT is not null) ArrayPool<T>.Shared.Return(dyT);
                    if (col is not null) ArrayPool<T>.Shared.Return(col);
                });
                if (partials is not null)
                {
                    const int Block = 4096;
                    T[] parts = partials;
                    int nblocks = (wlen + Block - 1) / Block;
                    Parallelism.For(nblocks, bi =>
                    {
                        int start = bi * Block, len = Math.Min(Block, wlen - start);
                        var dw = new Span<T>(pdw + start, len);
                        var sum = parts.AsSpan(start, len);
                        for (int ci = 1; ci < chunks; ci++) Add(parts.AsSpan(ci * wlen + start, len), sum);
                        Add(sum, dw);
                    });
                }
            }
        }
        finally
        {
            if (partials is not null) ArrayPool<T>.Shared.Return(partials);
        }
    }

    /// <summary>The batch chunking of the weight gradient: a function of the geometry only (never of the thread count).</summary>
    internal static (int ChunkSize, int Chunks) WeightChunks(in Conv2dGeometry g)
    {
        long perSample = (long)g.InChannels * g.KernelH * g.KernelW * g.OutHeight * g.OutWidth;
        long want = (g.Batch * perSample + ChunkColumnBudget - 1) / ChunkColumnBudget;
        int chunks = (int)Math.Min(Math.Clamp(want, MinChunks, MaxChunks), g.Batch);
        int size = (g.Batch + chunks - 1) / chunks;
        return (size, (g.Batch + size - 1) / size);
    }

    // db[k] += Σ_n Σ_p dy[n,k,p]; one thread per channel, samples in order.
    private static unsafe void BiasGradient<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, Span<T> dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, p = g.OutHeight * g.OutWidth, batch = g.Batch;
        fixed (T* pdy0 = dOutput, pdb0 = dBias)
        {
            T* pdy = pdy0, pdb = pdb0;
            Parallelism.For(k, (long)batch * p, o =>
            {
                T s = T.Zero;
                for (int n = 0; n < batch; n++) s += Sum(new ReadOnlySpan<T>(pdy + ((long)n * k + o) * p, p));
                pdb[o] += s;
            });
        }
    }

    // The range [lo, hi) of output columns whose input column ow·stride + offset lies in [0, size).
    private static (int Lo, int Hi) ValidRange(int offset, int stride, int size, int outSize)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = size - 1 - offset;
        int hi = last < 0 ? 0 : Math.Min(outSize, last / stride + 1);
        lo = Math.Min(lo, outSize);
        return (lo, Math.Max(lo, hi));
    }

    // col[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw] (0 outside); rows ld apart.
    private static void Im2Col<T>(in Conv2dGeometry g, ReadOnlySpan<T> x, int channels, Span<T> col, int ld)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.Height, w = g.Width, oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideH, sw = g.StrideW;
        int kh = g.KernelH, kw = g.KernelW;
        for (int ch = 0; ch < channels; ch++)
        {
            var xc = x.Slice(ch * h * w, h * w);
            for (int i = 0; i < kh; i++)
            {
                int offH = i * g.DilationH - g.PadH;
                for (int j = 0; j < kw; j++)
                {
                    int offW = j * g.DilationW - g.PadW;
                    var (lo, hi) = ValidRange(offW, sw, w, ow);
                    var row = col.Slice(((ch * kh + i) * kw + j) * ld, oh * ow);
                    for (int r = 0; r < oh; r++)
                    {
                        var d = row.Slice(r * ow, ow);
                        int ih = r * sh + offH;
                        if ((uint)ih >= (uint)h) { d.Clear(); continue; }
                        var src = xc.Slice(ih * w, w);
                        d[..lo].Clear();
                        d[hi..].Clear();
                        if (hi == lo) continue; // no valid column (lo + offW may lie past the row)
                        if (sw == 1) src.Slice(lo + offW, hi - lo).CopyTo(d[lo..hi]);
                        else for (int q = lo; q < hi; q++) d[q] = src[q * sw + offW];
                    }
                }
            }
        }
    }

    // The adjoint of Im2Col: x[c, ih, iw] += col[row, p] for every (row, p) that Im2Col read from (c, ih, iw).
    private static void Col2ImAdd<T>(in Conv2dGeometry g, ReadOnlySpan<T> col, int ld, Span<T> x, int channels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.Height, w = g.Width, oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideH, sw = g.StrideW;
        int kh = g.KernelH, kw = g.KernelW;
        for (int ch = 0; ch < channels; ch++)
        {
            var xc = x.Slice(ch * h * w, h * w);
            for (int i = 0; i < kh; i++)
            {
                int offH = i * g.DilationH - g.PadH;
                for (int j = 0; j < kw; j++)
                {
                    int offW = j * g.DilationW - g.PadW;
                    var (lo, hi) = ValidRange(offW, sw, w, ow);
                    var row = col.Slice(((ch * kh + i) * kw + j) * ld, oh * ow);
                    for (int r = 0; r < oh; r++)
                    {
                        int ih = r * sh + offH;
                        if ((uint)ih >= (uint)h) continue;
                        var d = xc.Slice(ih * w, w);
                        var s = row.Slice(r * ow, ow);
                        if (hi == lo) continue;
                        if (sw == 1) Add(s[lo..hi], d.Slice(lo + offW, hi - lo));
                        else for (int q = lo; q < hi; q++) d[q * sw + offW] += s[q];
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- depthwise (groups == C): direct loops

    // Output channel k reads input channel k / m, where m = K / C is the depth multiplier. One thread per (n, c) input
    // plane: it is zero-padded once into a workspace, then each of its m output planes is computed with every output
    // value (or vector of them) accumulated in a register over the KH·KW taps, with no bounds tests in the inner loop.
    private static unsafe void DepthwiseForward<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
        ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, m = g.OutChannelsPerGroup, h = g.Height, wd = g.Width, hw = h * wd;
        int p = g.OutHeight * g.OutWidth, kk = g.KernelH * g.KernelW;
        int hp = h + 2 * g.PadH, wp = wd + 2 * g.PadW;
        bool hasBias = !bias.IsEmpty, padded = g.PadH > 0 || g.PadW > 0;
        fixed (T* px0 = input, pw0 = weight, pb0 = bias, py0 = output)
        {
            T* px = px0, pw = pw0, pb = pb0, py = py0;
            Parallelism.For(g.Batch * c, plane =>
            {
                T* x = px + (long)plane * hw;
                T[]? buffer = padded ? ArrayPool<T>.Shared.Rent(hp * wp) : null;
                try
                {
                    fixed (T* pad = buffer)
                    {
                        if (pad is not null)
                        {
                            new Span<T>(pad, hp * wp).Clear();
                            for (int r = 0; r < h; r++)
                                new ReadOnlySpan<T>(x + (long)r * wd, wd).CopyTo(new Span<T>(pad + (long)(r + g.PadH) * wp + g.PadW, wd));
                            x = pad;
                        }
                        int ch = plane % c;
                        for (int e = 0; e < m; e++)
                        {
                            int o = ch * m + e;
                            DepthwisePlane(g, x, wp, pw + (long)o * kk, hasBias ? pb[o] : T.Zero,
                                py + ((long)(plane / c) * g.OutChannels + o) * p);
                        }
                    }
                }
                finally
                {
                    if (buffer is not null) ArrayPool<T>.Shared.Return(buffer);
                }
            });
        }
    }

    // y[oh, ow] = b + Σ_{kh,kw} w[kh,kw] · xp[oh·sh + kh·dh, ow·sw + kw·dw] over a plane xp that is already padded
    // (row pitch wp), so every tap is in bounds. With stride-1 columns, Vector<T>.Count outputs are accumulated at once.
    private static unsafe void DepthwisePlane<T>(in Conv2dGeometry g, T* xp, int wp, T* w, T b, T* y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideH, sw = g.StrideW, kh = g.KernelH, kw = g.KernelW;
        int dh = g.DilationH, dw = g.DilationW, vn = Vector<T>.Count;
        bool vector = Vector.IsHardwareAccelerated && sw == 1;
        for (int r = 0; r < oh; r++)
        {
            T* xr = xp + (long)r * sh * wp;
            T* yr = y + (long)r * ow;
            int q = 0;
            if (vector)
            {
                for (; q + 2 * vn <= ow; q += 2 * vn)
                {
                    Vector<T> a0 = new(b), a1 = a0;
                    for (int i = 0; i < kh; i++)
                    {
                        T* xi = xr + (long)i * dh * wp + q;
                        for (int j = 0; j < kw; j++)
                        {
                            Vector<T> wv = new(w[i * kw + j]);
                            a0 += wv * Unsafe.ReadUnaligned<Vector<T>>(xi + j * dw);
                            a1 += wv * Unsafe.ReadUnaligned<Vector<T>>(xi + j * dw + vn);
                        }
                    }
                    Unsafe.WriteUnaligned(yr + q, a0);
                    Unsafe.WriteUnaligned(yr + q + vn, a1);
                }
                for (; q + vn <= ow; q += vn)
                {
                    Vector<T> a0 = new(b);
                    for (int i = 0; i < kh; i++)
                    {
                        T* xi = xr + (long)i * dh * wp + q;
                        for (int j = 0; j < kw; j++) a0 += new Vector<T>(w[i * kw + j]) * Unsafe.ReadUnaligned<Vector<T>>(xi + j * dw);
                    }
                    Unsafe.WriteUnaligned(yr + q, a0);
                }
            }
            for (; q < ow; q++)
            {
                T s = b;
                for (int i = 0; i < kh; i++)
                {
                    T* xi = xr + (long)i * dh * wp + (long)q * sw;
                    for (int j = 0; j < kw; j++) s += w[i * kw + j] * xi[j * dw];
                }
                yr[q] = s;
            }
        }
    }

    // dx[n, c] (+)= Σ_{k reading c} Σ_{kh,kw} w[k,kh,kw] · dy[n,k] scattered back; one thread per (n, c) plane. With
    // padding, the scatter goes into a zeroed padded workspace whose interior is then copied (or added) to dx, so the
    // inner loops need no bounds tests.
    private static unsafe void DepthwiseBackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, m = g.OutChannelsPerGroup;
        int h = g.Height, wd = g.Width, hw = h * wd, p = g.OutHeight * g.OutWidth, kk = g.KernelH * g.KernelW;
        int hp = h + 2 * g.PadH, wp = wd + 2 * g.PadW;
        bool padded = g.PadH > 0 || g.PadW > 0;
        fixed (T* pdy0 = dOutput, pw0 = weight, pdx0 = dInput)
        {
            T* pdy = pdy0, pw = pw0, pdx = pdx0;
            Parallelism.For(g.Batch * c, plane =>
            {
                int n = plane / c, ch = plane % c;
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                T[]? buffer = padded ? ArrayPool<T>.Shared.Rent(hp * wp) : null;
                try
                {
                    fixed (T* pad = buffer)
                    {
                        T* target;
                        if (pad is not null) { new Span<T>(pad, hp * wp).Clear(); target = pad; }
                        else
                        {
                            if (!accumulate) dx.Clear();
                            target = pdx + (long)plane * hw;
                        }
                        for (int e = 0; e < m; e++)
                        {
                            int o = ch * m + e;
                            DepthwiseScatterPlane(g, pdy + ((long)n * k + o) * p, pw + (long)o * kk, target, wp);
                        }
                        if (pad is not null)
                            for (int r = 0; r < h; r++)
                            {
                                var src = new ReadOnlySpan<T>(pad + (long)(r + g.PadH) * wp + g.PadW, wd);
                                if (accumulate) Add(src, dx.Slice(r * wd, wd));
                                else src.CopyTo(dx.Slice(r * wd, wd));
                            }
                    }
                }
                finally
                {
                    if (buffer is not null) ArrayPool<T>.Shared.Return(buffer);
                }
            });
        }
    }

    // The adjoint of DepthwisePlane: xp[oh·sh + kh·dh, ow·sw + kw·dw] += w[kh,kw] · dy[oh, ow] over a padded plane.
    // Taps are the outer loops: an axpy along a row never re-reads a vector it has just stored (with the taps inner, the
    // overlapping read-modify-writes of neighbouring taps stall on store forwarding).
    private static unsafe void DepthwiseScatterPlane<T>(in Conv2dGeometry g, T* dy, T* w, T* xp, int wp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideH, sw = g.StrideW, kh = g.KernelH, kw = g.KernelW;
        int dh = g.DilationH, dw = g.DilationW, vn = Vector<T>.Count;
        bool vector = Vector.IsHardwareAccelerated && sw == 1;
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
            {
                T wv = w[i * kw + j];
                var wvec = new Vector<T>(wv);
                for (int r = 0; r < oh; r++)
                {
                    T* xr = xp + ((long)r * sh + (long)i * dh) * wp + j * dw;
                    T* dr = dy + (long)r * ow;
                    int q = 0;
                    if (vector)
                        for (; q + vn <= ow; q += vn)
                            Unsafe.WriteUnaligned(xr + q, Unsafe.ReadUnaligned<Vector<T>>(xr + q) + wvec * Unsafe.ReadUnaligned<Vector<T>>(dr + q));
                    for (; q < ow; q++) xr[(long)q * sw] += wv * dr[q];
                }
            }
    }

    // dw[k,kh,kw] += Σ_n Σ_{oh,ow} dy[n,k,oh,ow] · xp[n, k/m, oh·sh + kh·dh, ow·sw + kw·dw]; one thread per output
    // channel, samples in order, one vector accumulator per tap (reduced once at the end).
    private static unsafe void DepthwiseBackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
        Span<T> dWeight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, m = g.OutChannelsPerGroup, batch = g.Batch;
        int h = g.Height, wd = g.Width, hw = h * wd, oh = g.OutHeight, ow = g.OutWidth, p = oh * ow;
        int sh = g.StrideH, sw = g.StrideW, kh = g.KernelH, kw = g.KernelW, kk = kh * kw, dh = g.DilationH, dw = g.DilationW;
        int hp = h + 2 * g.PadH, wp = wd + 2 * g.PadW, vn = Vector<T>.Count, padH = g.PadH, padW = g.PadW;
        bool padded = padH > 0 || padW > 0, vector = Vector.IsHardwareAccelerated && sw == 1;
        fixed (T* px0 = input, pdy0 = dOutput, pdw0 = dWeight)
        {
            T* px = px0, pdy = pdy0, pdw = pdw0;
            Parallelism.For(k, o =>
            {
                T[]? buffer = padded ? ArrayPool<T>.Shared.Rent(hp * wp) : null;
                T[] acc = ArrayPool<T>.Shared.Rent(kk * (vn + 1));
                try
                {
                    fixed (T* pad = buffer)
                    fixed (T* pacc = acc)
                    {
                        T* sacc = pacc + kk * vn; // kk vector accumulators at pacc, then kk scalar ones
                        new Span<T>(pacc, kk * (vn + 1)).Clear();
                        if (pad is not null) new Span<T>(pad, hp * wp).Clear();
                        for (int n = 0; n < batch; n++)
                        {
                            T* xp = px + ((long)n * c + o / m) * hw;
                            if (pad is not null)
                            {
                                for (int r = 0; r < h; r++)
                                    new ReadOnlySpan<T>(xp + (long)r * wd, wd).CopyTo(new Span<T>(pad + (long)(r + padH) * wp + padW, wd));
                                xp = pad;
                            }
                            T* dy = pdy + ((long)n * k + o) * p;
                            for (int r = 0; r < oh; r++)
                            {
                                T* xr = xp + (long)r * sh * wp;
                                T* dr = dy + (long)r * ow;
                                int q = 0;
                                if (vector)
                                    for (; q + vn <= ow; q += vn)
                                    {
                                        var d = Unsafe.ReadUnaligned<Vector<T>>(dr + q);
                                        for (int i = 0; i < kh; i++)
                                        {
                                            T* xi = xr + (long)i * dh * wp + q;
                                            for (int j = 0; j < kw; j++)
                                            {
                                                T* a = pacc + (i * kw + j) * vn;
                                                Unsafe.WriteUnaligned(a, Unsafe.ReadUnaligned<Vector<T>>(a) + d * Unsafe.ReadUnaligned<Vector<T>>(xi + j * dw));
                                            }
                                        }
                                    }
                                for (; q < ow; q++)
                                {
                                    T d = dr[q];
                                    for (int i = 0; i < kh; i++)
                                    {
                                        T* xi = xr + (long)i * dh * wp + (long)q * sw;
                                        for (int j = 0; j < kw; j++) sacc[i * kw + j] += d * xi[j * dw];
                                    }
                                }
                            }
                        }
                        for (int t = 0; t < kk; t++)
                            pdw[(long)o * kk + t] += Vector.Sum(Unsafe.ReadUnaligned<Vector<T>>(pacc + t * vn)) + sacc[t];
                    }
                }
                finally
                {
                    if (buffer is not null) ArrayPool<T>.Shared.Return(buffer);
                    ArrayPool<T>.Shared.Return(acc);
                }
            });
        }
    }

    // ---------------------------------------------------------------- small vector helpers

    // y += x
    private static void Add<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(y.Slice(i)) + new Vector<T>(x.Slice(i))).CopyTo(y.Slice(i));
        for (; i < n; i++) y[i] += x[i];
    }

    private static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        T s = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count) acc += new Vector<T>(x.Slice(i));
            s = Vector.Sum(acc);
        }
        for (; i < n; i++) s += x[i];
        return s;
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
