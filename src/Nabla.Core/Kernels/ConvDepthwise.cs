using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Depthwise-style convolution (groups == C, each output channel reads one input channel) by direct loops, for
/// <see cref="Convolution"/>: as a GEMM it would have fewer rows than a micro-kernel tile and a reduction of only KH·KW.
/// </summary>
internal static class ConvDepthwise
{
    // Output channel k reads input channel k / m, where m = K / C is the depth multiplier. One thread per (n, c) input
    // plane: it is zero-padded once into a workspace, then each of its m output planes is computed with every output
    // value (or vector of them) accumulated in a register over the KH·KW taps, with no bounds tests in the inner loop.
    internal static unsafe void Forward<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight,
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
                            Plane(g, x, wp, pw + (long)o * kk, hasBias ? pb[o] : T.Zero,
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
    private static unsafe void Plane<T>(in Conv2dGeometry g, T* xp, int wp, T* w, T b, T* y)
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
    internal static unsafe void BackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> weight,
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
                            ScatterPlane(g, pdy + ((long)n * k + o) * p, pw + (long)o * kk, target, wp);
                        }
                        if (pad is not null)
                            for (int r = 0; r < h; r++)
                            {
                                var src = new ReadOnlySpan<T>(pad + (long)(r + g.PadH) * wp + g.PadW, wd);
                                if (accumulate) Simd.AddTo(src, dx.Slice(r * wd, wd));
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
    private static unsafe void ScatterPlane<T>(in Conv2dGeometry g, T* dy, T* w, T* xp, int wp)
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
    internal static unsafe void BackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput,
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
}
