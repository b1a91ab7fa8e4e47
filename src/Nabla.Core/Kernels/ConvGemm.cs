using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Convolution as im2col + GEMM (the general method behind <see cref="Convolution"/>): per sample and group, the
/// image's patches are unfolded into a [C·KH·KW, OH·OW] matrix and multiplied by the weights; the input gradient folds
/// the product back (col2im); the weight gradient sums the batch in chunks fixed by the geometry.
/// </summary>
internal static class ConvGemm
{
    // Target size of one weight-gradient chunk's im2col buffer (elements), and bounds on the number of chunks:
    // at least 8 so two cores stay busy, at most 16 so the partial weight gradients stay small.
    private const long ChunkColumnBudget = 1 << 18;
    private const int MinChunks = 8, MaxChunks = 16;

    // y_n,grp [Kg, P] = w_grp [Kg, CKK] · col_n,grp [CKK, P] (+ bias, pre-filled with beta = 1).
    internal static unsafe void Forward<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
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
    internal static unsafe void BackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
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
    internal static unsafe void BackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
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
                        for (int ci = 1; ci < chunks; ci++) Simd.AddTo(parts.AsSpan(ci * wlen + start, len), sum);
                        Simd.AddTo(sum, dw);
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
    internal static unsafe void BiasGradient<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, Span<T> dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, p = g.OutHeight * g.OutWidth, batch = g.Batch;
        fixed (T* pdy0 = dOutput, pdb0 = dBias)
        {
            T* pdy = pdy0, pdb = pdb0;
            Parallelism.For(k, (long)batch * p, o =>
            {
                T s = T.Zero;
                for (int n = 0; n < batch; n++) s += Reductions.Sum(new ReadOnlySpan<T>(pdy + ((long)n * k + o) * p, p));
                pdb[o] += s;
            });
        }
    }

    // The range [lo, hi) of output columns whose input column ow·stride + offset lies in [0, size).
    internal static (int Lo, int Hi) ValidRange(int offset, int stride, int size, int outSize)
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
                        if (sw == 1) Simd.AddTo(s[lo..hi], d.Slice(lo + offW, hi - lo));
                        else for (int q = lo; q < hi; q++) d[q * sw + offW] += s[q];
                    }
                }
            }
        }
    }
}
