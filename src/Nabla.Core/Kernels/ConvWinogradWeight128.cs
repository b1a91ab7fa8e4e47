using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Winograd F(3×3, 2×2) for the weight gradient on the 128-bit path (ARM64's NEON, x86 with <c>DOTNET_EnableAVX2=0</c>),
/// written with the portable <see cref="Vector128"/> API only: the algorithm of <see cref="ConvWinogradWeightAvx2"/> (whose
/// doc comment has the matrices), 4 channels per vector, with the input transform and channel-last layout of
/// <see cref="ConvWinograd128"/> and a 6 (k) × 8 (c) register tile.
/// </summary>
/// <remarks>
/// The batch is cut into chunks fixed by the batch size alone, each on one thread with its own M[ξ][k][c]; per sample,
/// x and dy go channel-last, and for every block of at most <see cref="Block"/> tiles V = Bᵀ d B and U = G e Gᵀ, then
/// M[ξ] += U[ξ]ᵀ V[ξ] with sums over the block's tiles kept in registers (fused where the hardware fuses, else a multiply
/// and an add). The chunks' M are summed in chunk order and Aᵀ M A runs in double
/// (<see cref="ConvWinogradWeightAvx2.AddTransformed"/>), so results are bit-identical for any
/// <see cref="Tensors.Threads.Max"/>.
/// </remarks>
internal static unsafe class ConvWinogradWeight128
{
    private const int Rows = ConvPixels128.Rows, Cols = ConvPixels128.Cols, Vl = 4, Xi = 16;

    // Most tiles per transformed block (a sample's tiles cut into equal blocks), as in ConvWinogradWeightAvx2.
    private const int Block = 36;

    // Samples are summed in at most this many chunks (each with its own M).
    private const int MaxChunks = 8;

    // Measured on one Zen 3 core with DOTNET_EnableAVX2=0 (batch 64, 3x3 "same", minima, this kernel against what runs
    // otherwise): from 4 input channels faster whatever K (28x28: 4 -> 4 1.22 against 2.92 ms, 4 -> 32 5.95 against
    // 6.55, 16 -> 1 2.32 against 3.25, 16 -> 16 5.55 against 13.66, 16 -> 32 10.4 against 23.8; 14x14: 32 -> 32 4.77
    // against 12.5, 32 -> 64 9.15 against 21.0); with fewer not reliably (3 -> 8 1.95 against 2.02, 3 -> 32 6.15 against
    // 5.49, 2 -> 32 6.07 against 4.24, 1 -> 32 5.88 against 3.11).
    private const int MinInChannels = 4;

    /// <summary>
    /// True when the weight gradient of this geometry (float) runs here: the geometries of <see cref="ConvWinograd128"/>
    /// (so its <c>Disable</c> and <c>Force</c> switches too) with at least 4 input channels.
    /// </summary>
    public static bool Applies(in Conv2dGeometry g) =>
        ConvWinograd128.Eligible(g) && (ConvWinograd128.Force || g.InChannels >= MinInChannels);

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
            int len = plan.MLength;
            for (int ci = 1; ci < chunks; ci++)
            {
                float* p = pm + (long)ci * len;
                for (int i = 0; i < len; i += Vl) (Vector128.Load(pm + i) + Vector128.Load(p + i)).Store(pm + i);
            }
            ConvWinogradWeightAvx2.AddTransformed(pm, plan.KRows, plan.CPitch, g.OutChannels, g.InChannels, dw);
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
            // C′: whole 8-channel column blocks; K′: whole 6-row blocks (_kr), rounded to vectors for the transform.
            _cp = (_c + Cols - 1) / Cols * Cols;
            _kr = (_k + Rows - 1) / Rows * Rows;
            _kp = (_kr + Vl - 1) / Vl * Vl;
            _chunkSize = chunkSize; _x = x; _dy = dy;
        }

        /// <summary>Floats of one chunk's M, [ξ][K rounded to 6][C′].</summary>
        public int MLength => Xi * _kr * _cp;

        public int KRows => _kr;

        public int CPitch => _cp;

        public float* Partials { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Chunk(int ci)
        {
            int hp = 2 * _th + 2, wp = 2 * _tw + 2, eh = 2 * _th, ew = 2 * _tw, tiles = _th * _tw, k4 = (_k + Vl - 1) / Vl * Vl;
            int blocks = (tiles + Block - 1) / Block, per = (tiles + blocks - 1) / blocks;
            int xLen = hp * wp * _cp, dyLen = eh * ew * _kp, vLen = Xi * Block * _cp, uLen = Xi * Block * _kp;
            float[] buf = ArrayPool<float>.Shared.Rent(xLen + dyLen + vLen + uLen);
            float* m = Partials + (long)ci * MLength;
            new Span<float>(m, MLength).Clear();
            fixed (float* pws = buf)
            {
                float* xs = pws, es = xs + xLen, v = es + dyLen, u = v + vLen;
                // The padding of xs and es, their channels past C and K, and the rows of U past K rounded to 4 (up to K
                // rounded to 6) are never written: cleared once for the chunk.
                new Span<float>(pws, xLen + dyLen + vLen + uLen).Clear();
                for (int n = ci * _chunkSize; n < Math.Min(_batch, (ci + 1) * _chunkSize); n++)
                {
                    ConvWinograd128.ToChannelLast(_x + (long)n * _c * _h * _w, _c, _h, _w, _padH, _padW, xs, wp, _cp);
                    ConvWinograd128.ToChannelLast(_dy + (long)n * _k * _oh * _ow, _k, _oh, _ow, 0, 0, es, ew, _kp);
                    for (int t0 = 0; t0 < tiles; t0 += per)
                    {
                        int count = Math.Min(per, tiles - t0);
                        for (int tt = 0; tt < count; tt++)
                        {
                            int ti = (t0 + tt) / _tw, tj = (t0 + tt) % _tw;
                            ConvWinograd128.InputTransform(xs + ((long)2 * ti * wp + 2 * tj) * _cp, wp * _cp, _cp,
                                v + tt * _cp, Block * _cp);
                            GradTransform(es + ((long)2 * ti * ew + 2 * tj) * _kp, ew * _kp, _kp, k4, u + tt * _kp, Block * _kp);
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
    }

    // u[ξ·uStride + k] = (G e Gᵀ)[ξ] of channel k, e[i][j] = dy[i·rowPitch + j·kp + k], k < channels (4 at a time).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradTransform(float* e, int rowPitch, int kp, int channels, float* u, int uStride)
    {
        var half = Vector128.Create(0.5f);
        for (int k = 0; k < channels; k += Vl)
        {
            float* p = e + k;
            var e00 = Vector128.Load(p); var e01 = Vector128.Load(p + kp);
            var e10 = Vector128.Load(p + rowPitch); var e11 = Vector128.Load(p + rowPitch + kp);
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
    private static void GRow(float* o, int stride, Vector128<float> half, Vector128<float> a, Vector128<float> b)
    {
        a.Store(o);
        (half * (a + b)).Store(o + stride);
        (half * (a - b)).Store(o + 2 * stride);
        (-b).Store(o + 3 * stride);
    }

    // m[i·ldm + 0:8] += Σ_t u[t·ldu + i] · v[t·ldv + 0:8] for the 6 rows i, tiles t in order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(int tiles, float* u, nint ldu, float* v, nint ldv, float* m, nint ldm)
    {
        Vector128<float> c00 = Vector128.Load(m), c01 = Vector128.Load(m + 4);
        Vector128<float> c10 = Vector128.Load(m + ldm), c11 = Vector128.Load(m + ldm + 4);
        Vector128<float> c20 = Vector128.Load(m + 2 * ldm), c21 = Vector128.Load(m + 2 * ldm + 4);
        Vector128<float> c30 = Vector128.Load(m + 3 * ldm), c31 = Vector128.Load(m + 3 * ldm + 4);
        Vector128<float> c40 = Vector128.Load(m + 4 * ldm), c41 = Vector128.Load(m + 4 * ldm + 4);
        Vector128<float> c50 = Vector128.Load(m + 5 * ldm), c51 = Vector128.Load(m + 5 * ldm + 4);
        for (int t = 0; t < tiles; t++)
        {
            var w0 = Vector128.Load(v);
            var w1 = Vector128.Load(v + 4);
            var a = Vector128.Create(u[0]);
            c00 = Vector128.MultiplyAddEstimate(a, w0, c00); c01 = Vector128.MultiplyAddEstimate(a, w1, c01);
            a = Vector128.Create(u[1]);
            c10 = Vector128.MultiplyAddEstimate(a, w0, c10); c11 = Vector128.MultiplyAddEstimate(a, w1, c11);
            a = Vector128.Create(u[2]);
            c20 = Vector128.MultiplyAddEstimate(a, w0, c20); c21 = Vector128.MultiplyAddEstimate(a, w1, c21);
            a = Vector128.Create(u[3]);
            c30 = Vector128.MultiplyAddEstimate(a, w0, c30); c31 = Vector128.MultiplyAddEstimate(a, w1, c31);
            a = Vector128.Create(u[4]);
            c40 = Vector128.MultiplyAddEstimate(a, w0, c40); c41 = Vector128.MultiplyAddEstimate(a, w1, c41);
            a = Vector128.Create(u[5]);
            c50 = Vector128.MultiplyAddEstimate(a, w0, c50); c51 = Vector128.MultiplyAddEstimate(a, w1, c51);
            u += ldu;
            v += ldv;
        }
        c00.Store(m); c01.Store(m + 4);
        c10.Store(m + ldm); c11.Store(m + ldm + 4);
        c20.Store(m + 2 * ldm); c21.Store(m + 2 * ldm + 4);
        c30.Store(m + 3 * ldm); c31.Store(m + 3 * ldm + 4);
        c40.Store(m + 4 * ldm); c41.Store(m + 4 * ldm + 4);
        c50.Store(m + 5 * ldm); c51.Store(m + 5 * ldm + 4);
    }
}
