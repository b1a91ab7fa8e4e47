using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Winograd F(3×3, 2×2) for the weight gradient of the convolutions whose forward pass <see cref="ConvWinogradAvx2"/>
/// runs (Lavin &amp; Gray 2015): dW[k,c,u,v] = Σ_n Σ_{i,j} dy[n,k,i,j] · xpad[n,c,i+u,j+v] is cut into 2 × 2 blocks e
/// of dy[n,k] (zero past OH, OW), each a 3 × 3 correlation with the 4 × 4 patch d of xpad[n,c] at the same place
/// (stride 2, zero past the padded image): dW[k,c] = Aᵀ [ Σ_{n, tiles} (G e Gᵀ) ⊙ (Bᵀ d B) ] A, with
/// Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]] (the forward pass's), G = [[1,0],[½,½],[½,−½],[0,−1]],
/// Aᵀ = [[1,1,1,0],[0,1,−1,0],[0,1,1,1]] (points 0, 1, −1, ∞). The sum runs in the transformed domain, so every tile
/// costs 16 multiply-adds per (k, c) instead of 36, and Aᵀ M A runs once per (k, c).
/// </summary>
/// <remarks>
/// <para>
/// The batch is cut into chunks fixed by the batch size alone, each on one thread with its own M[ξ][k][c]. Per sample:
/// x (padded) and dy go channel-last (<see cref="ConvWinogradAvx2.ToChannelLast"/>, into workspaces whose padding is
/// cleared once per chunk); then, for every block of at most <see cref="Block"/> tiles (the sample's cut equally),
/// V = Bᵀ d B ([ξ][tile][C′], <see cref="ConvWinogradAvx2.InputTransform"/>) and U = G e Gᵀ ([ξ][tile][K′]), and
/// M[ξ] += U[ξ]ᵀ V[ξ] with a 6 (k) × 16 (c) register tile that keeps its sums over the block's tiles in registers. At
/// the end the chunks' M are summed in chunk order, then Aᵀ M A per (k, c) in double.
/// </para>
/// <para>
/// Rounding: U and V (sums of up to 4 values, halved) are rounded before the products, and M sums a chunk's tiles in
/// float (the chunks' sums added in float too), so the error follows Σ|dy| · max|x| over the reduction, not Σ|terms|:
/// the tests allow 1e-6 times that (+ |dW before|) and see at most 2.6e-7. Every M element is summed by one thread in
/// a fixed order and the chunks are fixed by the batch size, so results are bit-identical for any
/// <see cref="Tensors.Threads.Max"/>.
/// </para>
/// </remarks>
internal static unsafe class ConvWinogradWeightAvx2
{
    private const int Rows = 6, Cols = 16, Vl = 8, Xi = 16;

    // Most tiles per transformed block, a sample's tiles being cut into equal blocks: U and V of a block stay in L2 (CNN
    // conv2: 16 · 36 · (72 + 32) floats = 240 KB). Measured on CNN conv2 (144 tiles a sample): 36 tiles 9.6-10.0 ms, 24
    // 9.9-10.9, 48 9.8-11.1, 96 12.1-12.2.
    private const int Block = 36;

    // Samples are summed in at most this many chunks (each with its own M): enough to balance a few threads.
    private const int MaxChunks = 8;

    /// <summary>dW += Σ_n dy_n ⋆ x_n (the bias gradient is computed elsewhere).</summary>
    public static void BackwardWeight(in Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        int chunks = Math.Min(g.Batch, MaxChunks), chunkSize = (g.Batch + chunks - 1) / chunks;
        chunks = (g.Batch + chunkSize - 1) / chunkSize;
        var plan = new Plan(g, x, dy, chunkSize);
        float[] partials = ArrayPool<float>.Shared.Rent(chunks * plan.MLength);
        fixed (float* pm = partials)
        {
            plan.Partials = pm;
            Parallelism.For(chunks, plan, static (p, ci) => p.Chunk(ci));
            plan.Finish(chunks, dw);
        }
        ArrayPool<float>.Shared.Return(partials);
    }

    private sealed class Plan
    {
        private readonly int _batch, _c, _h, _w, _padH, _padW, _k, _oh, _ow, _th, _tw, _cp, _kp, _kr, _chunkSize;
        private readonly float* _x, _dy;

        public Plan(in Conv2dGeometry g, float* x, float* dy, int chunkSize)
        {
            _batch = g.Batch; _c = g.InChannels; _h = g.Height; _w = g.Width; _padH = g.PadH; _padW = g.PadW;
            _k = g.OutChannels; _oh = g.OutHeight; _ow = g.OutWidth; _th = (_oh + 1) / 2; _tw = (_ow + 1) / 2;
            // C′: whole 16-channel column blocks; K′: whole 6-row blocks (_kr), rounded to vectors for the transform.
            _cp = (_c + Cols - 1) / Cols * Cols;
            _kr = (_k + Rows - 1) / Rows * Rows;
            _kp = (_kr + Vl - 1) / Vl * Vl;
            _chunkSize = chunkSize; _x = x; _dy = dy;
        }

        /// <summary>Floats of one chunk's M, [ξ][K rounded to 6][C′].</summary>
        public int MLength => Xi * _kr * _cp;

        public float* Partials { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Chunk(int ci)
        {
            int hp = 2 * _th + 2, wp = 2 * _tw + 2, eh = 2 * _th, ew = 2 * _tw, tiles = _th * _tw, k8 = (_k + Vl - 1) / Vl * Vl;
            int blocks = (tiles + Block - 1) / Block, per = (tiles + blocks - 1) / blocks;
            int xLen = hp * wp * _cp, dyLen = eh * ew * _kp, vLen = Xi * Block * _cp, uLen = Xi * Block * _kp;
            float[] buf = ArrayPool<float>.Shared.Rent(xLen + dyLen + vLen + uLen);
            float* m = Partials + (long)ci * MLength;
            new Span<float>(m, MLength).Clear();
            fixed (float* pws = buf)
            {
                float* xs = pws, es = xs + xLen, v = es + dyLen, u = v + vLen;
                // The padding of xs and es, their channels past C and K, and the rows of U past K rounded to 8 (up to K
                // rounded to 6) are never written: cleared once for the chunk.
                new Span<float>(pws, xLen + dyLen + vLen + uLen).Clear();
                for (int n = ci * _chunkSize; n < Math.Min(_batch, (ci + 1) * _chunkSize); n++)
                {
                    ConvWinogradAvx2.ToChannelLast(_x + (long)n * _c * _h * _w, _c, _h, _w, _padH, _padW, xs, wp, _cp);
                    ConvWinogradAvx2.ToChannelLast(_dy + (long)n * _k * _oh * _ow, _k, _oh, _ow, 0, 0, es, ew, _kp);
                    for (int t0 = 0; t0 < tiles; t0 += per)
                    {
                        int count = Math.Min(per, tiles - t0);
                        for (int tt = 0; tt < count; tt++)
                        {
                            int ti = (t0 + tt) / _tw, tj = (t0 + tt) % _tw;
                            ConvWinogradAvx2.InputTransform(xs + ((long)2 * ti * wp + 2 * tj) * _cp, wp * _cp, _cp,
                                v + tt * _cp, Block * _cp);
                            GradTransform(es + ((long)2 * ti * ew + 2 * tj) * _kp, ew * _kp, _kp, k8, u + tt * _kp, Block * _kp);
                        }
                        for (int xi = 0; xi < Xi; xi++)
                            for (int k0 = 0; k0 < _kr; k0 += Rows)
                                for (int c0 = 0; c0 < _cp; c0 += Cols)
                                    Accumulate(count, u + (long)xi * Block * _kp + k0, _kp, v + (long)xi * Block * _cp + c0, _cp,
                                        m + ((long)xi * _kr + k0) * _cp + c0, _cp);
                    }
                }
            }
            ArrayPool<float>.Shared.Return(buf);
        }

        // dw[k, c] += Aᵀ (Σ_ci M_ci[·][k][c]) A: the chunks summed in order into the first (8 floats at a time), Aᵀ M A in double.
        public void Finish(int chunks, float* dw)
        {
            int len = MLength;
            for (int ci = 1; ci < chunks; ci++)
            {
                float* p = Partials + (long)ci * len;
                for (int i = 0; i < len; i += Vl) Avx.Store(Partials + i, Avx.LoadVector256(Partials + i) + Avx.LoadVector256(p + i));
            }
            AddTransformed(Partials, _kr, _cp, _k, _c, dw);
        }
    }

    /// <summary>
    /// dw[k, c] += Aᵀ M[·][k][c] A in double for k &lt; <paramref name="kCount"/>, c &lt; <paramref name="cCount"/>, M laid
    /// out [ξ][kr][cp] (also <see cref="ConvWinogradWeight128"/>'s).
    /// </summary>
    internal static void AddTransformed(float* m, int kr, int cp, int kCount, int cCount, float* dw)
    {
        double* mm = stackalloc double[Xi], t = stackalloc double[12];
        for (int k = 0; k < kCount; k++)
            for (int c = 0; c < cCount; c++)
            {
                for (int xi = 0; xi < Xi; xi++) mm[xi] = m[((long)xi * kr + k) * cp + c];
                float* d = dw + ((long)k * cCount + c) * 9;
                // T = Aᵀ M (3 × 4) column by column, then T A row by row.
                for (int j = 0; j < 4; j++)
                {
                    double m0 = mm[j], m1 = mm[4 + j], m2 = mm[8 + j], m3 = mm[12 + j];
                    t[j] = m0 + m1 + m2;
                    t[4 + j] = m1 - m2;
                    t[8 + j] = m1 + m2 + m3;
                }
                for (int r = 0; r < 3; r++)
                {
                    double a0 = t[4 * r], a1 = t[4 * r + 1], a2 = t[4 * r + 2], a3 = t[4 * r + 3];
                    d[3 * r] = (float)(d[3 * r] + (a0 + a1 + a2));
                    d[3 * r + 1] = (float)(d[3 * r + 1] + (a1 - a2));
                    d[3 * r + 2] = (float)(d[3 * r + 2] + (a1 + a2 + a3));
                }
            }
    }

    // u[ξ·uStride + k] = (G e Gᵀ)[ξ] of channel k, e[i][j] = dy[i·rowPitch + j·kp + k], k < channels (8 at a time).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradTransform(float* e, int rowPitch, int kp, int channels, float* u, int uStride)
    {
        var half = Vector256.Create(0.5f);
        for (int k = 0; k < channels; k += Vl)
        {
            float* p = e + k;
            var e00 = Avx.LoadVector256(p); var e01 = Avx.LoadVector256(p + kp);
            var e10 = Avx.LoadVector256(p + rowPitch); var e11 = Avx.LoadVector256(p + rowPitch + kp);
            // G e: rows e0, ½(e0 + e1), ½(e0 − e1), −e1; then each row times Gᵀ.
            float* o = u + k;
            GRow(o, uStride, half, e00, e01);
            GRow(o + 4 * uStride, uStride, half, half * (e00 + e10), half * (e01 + e11));
            GRow(o + 8 * uStride, uStride, half, half * (e00 - e10), half * (e01 - e11));
            GRow(o + 12 * uStride, uStride, half, -e10, -e11);
        }
    }

    // (X Gᵀ)[i][0..3] for one row (a, b) of X: a, ½(a + b), ½(a − b), −b.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GRow(float* o, int stride, Vector256<float> half, Vector256<float> a, Vector256<float> b)
    {
        Avx.Store(o, a);
        Avx.Store(o + stride, half * (a + b));
        Avx.Store(o + 2 * stride, half * (a - b));
        Avx.Store(o + 3 * stride, -b);
    }

    // m[i·ldm + 0:16] += Σ_t u[t·ldu + i] · v[t·ldv + 0:16] for the 6 rows i, tiles t in order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(int tiles, float* u, nint ldu, float* v, nint ldv, float* m, nint ldm)
    {
        Vector256<float> c00 = Avx.LoadVector256(m), c01 = Avx.LoadVector256(m + 8);
        Vector256<float> c10 = Avx.LoadVector256(m + ldm), c11 = Avx.LoadVector256(m + ldm + 8);
        Vector256<float> c20 = Avx.LoadVector256(m + 2 * ldm), c21 = Avx.LoadVector256(m + 2 * ldm + 8);
        Vector256<float> c30 = Avx.LoadVector256(m + 3 * ldm), c31 = Avx.LoadVector256(m + 3 * ldm + 8);
        Vector256<float> c40 = Avx.LoadVector256(m + 4 * ldm), c41 = Avx.LoadVector256(m + 4 * ldm + 8);
        Vector256<float> c50 = Avx.LoadVector256(m + 5 * ldm), c51 = Avx.LoadVector256(m + 5 * ldm + 8);
        for (int t = 0; t < tiles; t++)
        {
            var w0 = Avx.LoadVector256(v);
            var w1 = Avx.LoadVector256(v + 8);
            var a = Avx.BroadcastScalarToVector256(u);
            c00 = Fma.MultiplyAdd(a, w0, c00); c01 = Fma.MultiplyAdd(a, w1, c01);
            a = Avx.BroadcastScalarToVector256(u + 1);
            c10 = Fma.MultiplyAdd(a, w0, c10); c11 = Fma.MultiplyAdd(a, w1, c11);
            a = Avx.BroadcastScalarToVector256(u + 2);
            c20 = Fma.MultiplyAdd(a, w0, c20); c21 = Fma.MultiplyAdd(a, w1, c21);
            a = Avx.BroadcastScalarToVector256(u + 3);
            c30 = Fma.MultiplyAdd(a, w0, c30); c31 = Fma.MultiplyAdd(a, w1, c31);
            a = Avx.BroadcastScalarToVector256(u + 4);
            c40 = Fma.MultiplyAdd(a, w0, c40); c41 = Fma.MultiplyAdd(a, w1, c41);
            a = Avx.BroadcastScalarToVector256(u + 5);
            c50 = Fma.MultiplyAdd(a, w0, c50); c51 = Fma.MultiplyAdd(a, w1, c51);
            u += ldu;
            v += ldv;
        }
        Avx.Store(m, c00); Avx.Store(m + 8, c01);
        Avx.Store(m + ldm, c10); Avx.Store(m + ldm + 8, c11);
        Avx.Store(m + 2 * ldm, c20); Avx.Store(m + 2 * ldm + 8, c21);
        Avx.Store(m + 3 * ldm, c30); Avx.Store(m + 3 * ldm + 8, c31);
        Avx.Store(m + 4 * ldm, c40); Avx.Store(m + 4 * ldm + 8, c41);
        Avx.Store(m + 5 * ldm, c50); Avx.Store(m + 5 * ldm + 8, c51);
    }
}
