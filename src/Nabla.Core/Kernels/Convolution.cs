using System.Buffers;
using System.Numerics;

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
/// unpadded convolution multiplies the image directly (no im2col). Depthwise-style convolutions (groups == C) use
/// direct loops, since im2col + GEMM with a one-channel reduction is mostly copying.
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

    /// <summary>Forward pass: y = conv(x, w) + b.</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="input">x, [N,C,H,W].</param>
    /// <param name="weight">w, [K, C/groups, KH, KW].</param>
    /// <param name="bias">b, [K]; empty for no bias.</param>
    /// <param name="output">y, [N,K,OH,OW]; overwritten.</param>
    public static void Conv2dForward<T>(in Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
        ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(weight.Length, g.WeightLength, "weight", "K·(C/groups)·KH·KW");
        if (!bias.IsEmpty) CheckLength(bias.Length, g.OutChannels, "bias", "K");
        CheckLength(output.Length, g.OutputLength, "output", "N·K·OH·OW");
        if (g.IsDepthwise) DepthwiseForward(g, input, weight, bias, output);
        else GemmForward(g, input, weight, bias, output);
    }

    /// <summary>Input gradient: dx = convᵀ(dy, w), the adjoint of <see cref="Conv2dForward{T}"/> in x.</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="dOutput">dy, [N,K,OH,OW].</param>
    /// <param name="weight">w, [K, C/groups, KH, KW].</param>
    /// <param name="dInput">dx, [N,C,H,W].</param>
    /// <param name="accumulate">True to add into <paramref name="dInput"/> (dx += …); false to overwrite it.</param>
    public static void Conv2dBackwardInput<T>(in Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·K·OH·OW");
        CheckLength(weight.Length, g.WeightLength, "weight", "K·(C/groups)·KH·KW");
        CheckLength(dInput.Length, g.InputLength, "input gradient", "N·C·H·W");
        if (g.IsDepthwise) DepthwiseBackwardInput(g, dOutput, weight, dInput, accumulate);
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
    public static void Conv2dBackwardWeight<T>(in Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
        Span<T> dWeight, Span<T> dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckGeometry(g);
        CheckLength(input.Length, g.InputLength, "input", "N·C·H·W");
        CheckLength(dOutput.Length, g.OutputLength, "output gradient", "N·K·OH·OW");
        CheckLength(dWeight.Length, g.WeightLength, "weight gradient", "K·(C/groups)·KH·KW");
        if (!dBias.IsEmpty) CheckLength(dBias.Length, g.OutChannels, "bias gradient", "K");
        if (g.IsDepthwise) DepthwiseBackwardWeight(g, input, dOutput, dWeight);
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
            Parallelism.For(k, o =>
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
                        if (sw == 1) Add(s[lo..hi], d.Slice(lo + offW, hi - lo));
                        else for (int q = lo; q < hi; q++) d[q * sw + offW] += s[q];
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- depthwise (groups == C): direct loops

    // Output channel k reads input channel k / m, where m = K / C is the depth multiplier.
    private static unsafe void DepthwiseForward<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
        ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, m = g.OutChannelsPerGroup;
        int hw = g.Height * g.Width, p = g.OutHeight * g.OutWidth, kk = g.KernelH * g.KernelW;
        bool hasBias = !bias.IsEmpty;
        fixed (T* px0 = input, pw0 = weight, pb0 = bias, py0 = output)
        {
            T* px = px0, pw = pw0, pb = pb0, py = py0;
            Parallelism.For(g.Batch * k, plane =>
            {
                int n = plane / k, o = plane % k;
                var x = new ReadOnlySpan<T>(px + ((long)n * c + o / m) * hw, hw);
                var y = new Span<T>(py + (long)plane * p, p);
                y.Fill(hasBias ? pb[o] : T.Zero);
                DepthwisePlane(g, x, new ReadOnlySpan<T>(pw + (long)o * kk, kk), y);
            });
        }
    }

    // y[oh, ow] += Σ_{kh,kw} w[kh,kw] · x[oh·sh − ph + kh·dh, ow·sw − pw + kw·dw] for one plane.
    private static void DepthwisePlane<T>(in Conv2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.Height, wd = g.Width, oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideH, sw = g.StrideW;
        for (int i = 0; i < g.KernelH; i++)
        {
            int offH = i * g.DilationH - g.PadH;
            for (int j = 0; j < g.KernelW; j++)
            {
                int offW = j * g.DilationW - g.PadW;
                T wv = w[i * g.KernelW + j];
                var (lo, hi) = ValidRange(offW, sw, wd, ow);
                for (int r = 0; r < oh; r++)
                {
                    int ih = r * sh + offH;
                    if ((uint)ih >= (uint)h) continue;
                    var src = x.Slice(ih * wd, wd);
                    var d = y.Slice(r * ow, ow);
                    if (sw == 1) Axpy(wv, src.Slice(lo + offW, hi - lo), d[lo..hi]);
                    else for (int q = lo; q < hi; q++) d[q] += wv * src[q * sw + offW];
                }
            }
        }
    }

    // dx[n, c] (+)= Σ_{k reading c} Σ_{kh,kw} w[k,kh,kw] · dy[n,k] shifted back; one thread per (n, c) plane.
    private static unsafe void DepthwiseBackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
        Span<T> dInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, m = g.OutChannelsPerGroup;
        int h = g.Height, wd = g.Width, hw = h * wd, oh = g.OutHeight, ow = g.OutWidth, p = oh * ow;
        int sh = g.StrideH, sw = g.StrideW, kh = g.KernelH, kw = g.KernelW, kk = kh * kw;
        fixed (T* pdy0 = dOutput, pw0 = weight, pdx0 = dInput)
        {
            T* pdy = pdy0, pw = pw0, pdx = pdx0;
            var geo = g;
            Parallelism.For(g.Batch * c, plane =>
            {
                int n = plane / c, ch = plane % c;
                var dx = new Span<T>(pdx + (long)plane * hw, hw);
                if (!accumulate) dx.Clear();
                for (int e = 0; e < m; e++)
                {
                    int o = ch * m + e;
                    var dy = new ReadOnlySpan<T>(pdy + ((long)n * k + o) * p, p);
                    var w = new ReadOnlySpan<T>(pw + (long)o * kk, kk);
                    for (int i = 0; i < kh; i++)
                    {
                        int offH = i * geo.DilationH - geo.PadH;
                        for (int j = 0; j < kw; j++)
                        {
                            int offW = j * geo.DilationW - geo.PadW;
                            T wv = w[i * kw + j];
                            var (lo, hi) = ValidRange(offW, sw, wd, ow);
                            for (int r = 0; r < oh; r++)
                            {
                                int ih = r * sh + offH;
                                if ((uint)ih >= (uint)h) continue;
                                var d = dx.Slice(ih * wd, wd);
                                var s = dy.Slice(r * ow, ow);
                                if (sw == 1) Axpy(wv, s[lo..hi], d.Slice(lo + offW, hi - lo));
                                else for (int q = lo; q < hi; q++) d[q * sw + offW] += wv * s[q];
                            }
                        }
                    }
                }
            });
        }
    }

    // dw[k,kh,kw] += Σ_n Σ_{oh,ow} dy[n,k,oh,ow] · x[n, k/m, …]; one thread per output channel, samples in order.
    private static unsafe void DepthwiseBackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
        Span<T> dWeight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, m = g.OutChannelsPerGroup, batch = g.Batch;
        int h = g.Height, wd = g.Width, hw = h * wd, oh = g.OutHeight, ow = g.OutWidth, p = oh * ow;
        int sh = g.StrideH, sw = g.StrideW, kh = g.KernelH, kw = g.KernelW, kk = kh * kw;
        fixed (T* px0 = input, pdy0 = dOutput, pdw0 = dWeight)
        {
            T* px = px0, pdy = pdy0, pdw = pdw0;
            var geo = g;
            Parallelism.For(k, o =>
            {
                int ch = o / m;
                for (int i = 0; i < kh; i++)
                {
                    int offH = i * geo.DilationH - geo.PadH;
                    for (int j = 0; j < kw; j++)
                    {
                        int offW = j * geo.DilationW - geo.PadW;
                        var (lo, hi) = ValidRange(offW, sw, wd, ow);
                        T acc = T.Zero;
                        for (int n = 0; n < batch; n++)
                        {
                            var x = new ReadOnlySpan<T>(px + ((long)n * c + ch) * hw, hw);
                            var dy = new ReadOnlySpan<T>(pdy + ((long)n * k + o) * p, p);
                            for (int r = 0; r < oh; r++)
                            {
                                int ih = r * sh + offH;
                                if ((uint)ih >= (uint)h) continue;
                                var s = dy.Slice(r * ow, ow);
                                var src = x.Slice(ih * wd, wd);
                                if (sw == 1) acc += Dot(s[lo..hi], src.Slice(lo + offW, hi - lo));
                                else for (int q = lo; q < hi; q++) acc += s[q] * src[q * sw + offW];
                            }
                        }
                        pdw[(long)o * kk + i * kw + j] += acc;
                    }
                }
            });
        }
    }

    // ---------------------------------------------------------------- small vector helpers

    // y += a·x
    private static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(y.Slice(i)) + va * new Vector<T>(x.Slice(i))).CopyTo(y.Slice(i));
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    // y += x
    private static void Add<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(y.Slice(i)) + new Vector<T>(x.Slice(i))).CopyTo(y.Slice(i));
        for (; i < n; i++) y[i] += x[i];
    }

    private static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        T s = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                acc += new Vector<T>(x.Slice(i)) * new Vector<T>(y.Slice(i));
            s = Vector.Sum(acc);
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
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
