using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) for 3×3, stride-1, single-group float convolutions on AVX2/FMA (Lavin &amp; Gray 2015): every
/// 2 × 2 block of outputs of one channel is Y = Aᵀ [ Σ_c (G g G ᵀ) ⊙ (Bᵀ d B) ] A, with d the 4 × 4 input patch of
/// channel c (stride 2), g the 3 × 3 kernel from c, and
/// Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]], G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]], Aᵀ = [[1,1,1,0],[0,1,−1,−1]]:
/// 16 multiply-adds per input channel for 4 outputs instead of 36.
/// </summary>
/// <remarks>
/// <para>
/// U = G g Gᵀ is computed once per call, laid out [16-channel block][ξ][C′][16] (C′ = C rounded to 8, zero past C and
/// past K). Per sample (each wholly on one thread): the image is zero-padded into a channel-last workspace
/// [Hp][Wp][C′] (Hp, Wp = 2·⌈OH/2⌉ + 2, 2·⌈OW/2⌉ + 2). Then, for every block of 6 tiles: V = Bᵀ d B of the 6 tiles
/// (8 channels per vector) into [ξ][6][C′]; for every 16-channel block, the 16 products M[ξ] = V[ξ] (6 × C′) · U[ξ]
/// (C′ × 16) with the pixel-rows register tile (<see cref="ConvPixelsAvx2.Tile"/>: 6 tiles × 16 channels, broadcast
/// V); then Aᵀ M A (+ bias) into a position-major workspace [block][OH·OW][16] (the valid outputs of a partial last
/// tile row or column only), transposed at the end into the output's channel planes, stored or added
/// (<see cref="ConvPixelsAvx2.Scatter"/>): storing each tile's 2 × 2 outputs of 16 channels straight into 32 output
/// rows took longer than the transform itself.
/// </para>
/// <para>
/// The input gradient is the same transform: a stride-1 convolution of dy, padded by 2 − p, with the flipped,
/// transposed weights (<see cref="ConvDirect.BackwardInput"/>). The weight gradient is F(3×3, 2×2), in
/// <see cref="ConvWinogradWeightAvx2"/>.
/// </para>
/// <para>
/// Rounding: the transforms of the inputs (sums of up to 4) and of the kernels (of up to 9 taps) are rounded before the
/// products, so the error follows their size, not Σ|terms| (which can be much smaller where terms cancel): the tests
/// allow 1e-6 · (Σ|w| over the reduction · max|input| + |bias or accumulated value|) and see at most 1.7e-7. Every
/// output is summed by one thread in a fixed order whatever the thread count, so results are bit-identical for any
/// <see cref="Tensors.Threads.Max"/>.
/// </para>
/// </remarks>
internal static unsafe class ConvWinogradAvx2
{
    private const int Tiles = ConvPixelsAvx2.Rows, Cols = ConvPixelsAvx2.Cols, Vl = 8, Xi = 16;

    // Measured on one Zen 3 core (batch 64, 3x3 "same" on 28x28 and 14x14, forward and input gradient): from 16
    // channels each way Winograd is faster (16 -> 16 on 14x14: 0.44 / 0.57 ms against 0.47 / 0.70 ms direct); with 8 on
    // either side, even or slower (8 -> 16 on 28x28: 1.31 / 2.51 ms against 1.38 / 2.21 ms), and 8 -> 8 or 16 -> 4 take
    // twice as long: the 16-channel tile half empty, the transforms no cheaper.
    private const int MinChannels = 16;

    // The weight gradient (F(3×3, 2×2), one Zen 3 core, batch 64, 3x3 "same" on 28x28 and 14x14, C, K in 8..64): faster
    // in every case with at least 16 input and 32 output channels (0.72-0.95 of the direct time: 32 -> 64 on 28x28
    // 15.5 against 20.5 ms, 16 -> 32 on 14x14 1.31 against 1.38 ms); with 8 input channels 1.4-2.3 times slower, with 8
    // or 16 output channels from 0.88 (16 -> 16 on 28x28) to 1.6 times (64 -> 8): the 6-row tile and the transform of dy
    // then cost more than the 36 / 16 saved.
    private const int MinWeightInChannels = 16, MinWeightOutChannels = 32;

    /// <summary>Tests and benchmarks set this to keep the direct tiles where Winograd would run.</summary>
    internal static bool Disable { get; set; }

    /// <summary>Tests set this to run Winograd on every eligible geometry, whatever the channel counts.</summary>
    internal static bool Force { get; set; }

    // 3×3, stride 1, no dilation, one group, padding at most 2 (so the input gradient's 2 − p is a padding), AVX2 only.
    private static bool Eligible(in Conv2dGeometry g) =>
        !Disable && !ConvDirect.Disable && Gemm.UsesAvx2 && !Gemm.UsesAvx512
        && g.Groups == 1 && g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH <= 2 && g.PadW <= 2;

    private static bool Enough(int cin, int cout) => Force || (cin >= MinChannels && cout >= MinChannels);

    /// <summary>True when the forward pass of this geometry (float) runs here.</summary>
    public static bool Applies(in Conv2dGeometry g) => Eligible(g) && Enough(g.InChannels, g.OutChannels);

    /// <summary>True when the input gradient of this geometry (float) runs here.</summary>
    public static bool AppliesBackwardInput(in Conv2dGeometry g) => Eligible(g) && Enough(g.OutChannels, g.InChannels);

    /// <summary>True when the weight gradient of this geometry (float) runs here (<see cref="ConvWinogradWeightAvx2"/>).</summary>
    public static bool AppliesBackwardWeight(in Conv2dGeometry g) =>
        Eligible(g) && (Force || (g.InChannels >= MinWeightInChannels && g.OutChannels >= MinWeightOutChannels));

    /// <summary>y = conv(x, w) + b (bias may be null).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* y)
    {
        int c = g.InChannels, k = g.OutChannels;
        // g[o][i][r][s] = w[o, i, r, s]
        Run(g.Batch, x, c, g.Height, g.Width, g.PadH, g.PadW, w, c * 9, 9, 3, 1, bias, k, y, g.OutHeight, g.OutWidth, false);
    }

    /// <summary>dx (+)= convᵀ(dy, w).</summary>
    public static void BackwardInput(in Conv2dGeometry g, float* dy, float* w, float* dx, bool accumulate)
    {
        int c = g.InChannels, k = g.OutChannels;
        // g[ch][o][r][s] = w[o, ch, 2 − r, 2 − s]
        Run(g.Batch, dy, k, g.OutHeight, g.OutWidth, 2 - g.PadH, 2 - g.PadW, w + 8, 9, c * 9, -3, -1, null, c, dx,
            g.Height, g.Width, accumulate);
    }

    // One call: src [N, cin, hin, win] padded by (padT, padL), kernels g[o][i][r][s] = w[o·so + i·si + r·sr + s·ss],
    // dst [N, cout, outH, outW] written or added.
    private static void Run(int batch, float* src, int cin, int hin, int win, int padT, int padL, float* w, int so, int si,
        int sr, int ss, float* bias, int cout, float* dst, int outH, int outW, bool accumulate)
    {
        int cp = (cin + Vl - 1) / Vl * Vl, blocks = (cout + Cols - 1) / Cols, uLen = blocks * Xi * cp * Cols;
        float[] buf = ArrayPool<float>.Shared.Rent(uLen + blocks * Cols);
        fixed (float* pu = buf)
        {
            float* pb = pu + uLen;
            TransformWeights(w, so, si, sr, ss, cin, cout, cp, Cols, blocks, pu);
            for (int o = 0; o < blocks * Cols; o++) pb[o] = bias is not null && o < cout ? bias[o] : 0f;
            new Plan(batch, src, cin, hin, win, padT, padL, cp, pu, pb, cout, dst, outH, outW, accumulate).Run();
        }
        ArrayPool<float>.Shared.Return(buf);
    }

    /// <summary>
    /// u[b][ξ][i][j] = (G g Gᵀ)[ξ] of kernel (b·cols + j, i), g[r][s] = w[o·so + i·si + r·sr + s·ss], zero past cin
    /// and cout (i &lt; cp, j &lt; cols); in double, rounded once.
    /// </summary>
    internal static void TransformWeights(float* w, int so, int si, int sr, int ss, int cin, int cout, int cp, int cols,
        int blocks, float* u)
    {
        new Span<float>(u, blocks * Xi * cp * cols).Clear();
        double* t = stackalloc double[12];
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
            {
                float* k = w + (long)o * so + (long)i * si;
                // t = G g (4 × 3), by columns s.
                for (int s = 0; s < 3; s++)
                {
                    double g0 = k[s * ss], g1 = k[sr + s * ss], g2 = k[2 * sr + s * ss];
                    t[s] = g0;
                    t[3 + s] = 0.5 * (g0 + g1 + g2);
                    t[6 + s] = 0.5 * (g0 - g1 + g2);
                    t[9 + s] = g2;
                }
                float* d = u + ((long)(o / cols) * Xi * cp + i) * cols + o % cols;
                long step = (long)cp * cols; // between ξ
                for (int r = 0; r < 4; r++)
                {
                    double a0 = t[3 * r], a1 = t[3 * r + 1], a2 = t[3 * r + 2];
                    d[(4 * r) * step] = (float)a0;
                    d[(4 * r + 1) * step] = (float)(0.5 * (a0 + a1 + a2));
                    d[(4 * r + 2) * step] = (float)(0.5 * (a0 - a1 + a2));
                    d[(4 * r + 3) * step] = (float)a2;
                }
            }
    }

    private sealed class Plan(int batch, float* src, int cin, int hin, int win, int padT, int padL, int cp, float* u,
        float* bias, int cout, float* dst, int outH, int outW, bool accumulate)
    {
        private readonly int _th = (outH + 1) / 2, _tw = (outW + 1) / 2;

        public void Run() => Parallelism.For(batch, this, static (p, n) => p.Sample(n));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Sample(int n)
        {
            int hp = 2 * _th + 2, wp = 2 * _tw + 2, tiles = _th * _tw, blocks = (cout + Cols - 1) / Cols, positions = outH * outW;
            int wsLen = hp * wp * cp, vLen = Xi * Tiles * cp, mLen = Xi * Tiles * Cols, stageLen = blocks * positions * Cols;
            float[] buf = ArrayPool<float>.Shared.Rent(wsLen + vLen + mLen + stageLen + 5 * Cols);
            int* seq = stackalloc int[cp], rowsAt = stackalloc int[Tiles];
            for (int c = 0; c < cp; c++) seq[c] = c;
            for (int tt = 0; tt < Tiles; tt++) rowsAt[tt] = tt * cp;
            long outPlane = (long)outH * outW;
            float* yn = dst + (long)n * cout * outPlane;
            fixed (float* pws = buf)
            {
                // stage: the output of every 16-channel block, position-major ([block][oh·outW + ow][16]); spare: where
                // the outputs of a partial tile past the last row or column go.
                float* v = pws + wsLen, m = v + vLen, stage = m + mLen, spare = stage + stageLen, zeros = spare + 4 * Cols;
                new Span<float>(zeros, Cols).Clear();
                new Span<float>(pws, wsLen).Clear();
                ToChannelLast(src + (long)n * cin * hin * win, cin, hin, win, padT, padL, pws, wp, cp);
                for (int t0 = 0; t0 < tiles; t0 += Tiles)
                {
                    for (int tt = 0; tt < Tiles; tt++)
                    {
                        int t = Math.Min(t0 + tt, tiles - 1), ti = t / _tw, tj = t % _tw;
                        InputTransform(pws + ((long)2 * ti * wp + 2 * tj) * cp, wp * cp, cp, v + tt * cp, Tiles * cp);
                    }
                    int count = Math.Min(Tiles, tiles - t0);
                    for (int b = 0; b < blocks; b++)
                    {
                        float* ub = u + (long)b * Xi * cp * Cols;
                        // M[ξ][tt][0:16] = Σ_c V[ξ][tt][c] · U[ξ][c][0:16]: the pixel-rows tile, c a tap at offset c.
                        for (int xi = 0; xi < Xi; xi++)
                            ConvPixelsAvx2.Tile(cp, seq, v + xi * Tiles * cp, rowsAt, ub + (long)xi * cp * Cols, zeros,
                                m + xi * Tiles * Cols);
                        for (int tt = 0; tt < count; tt++)
                        {
                            int t = t0 + tt, oh = 2 * (t / _tw), ow = 2 * (t % _tw);
                            bool right = ow + 1 < outW, below = oh + 1 < outH;
                            float* s = stage + ((long)b * positions + oh * outW + ow) * Cols;
                            OutputTransform(m + tt * Cols, bias + b * Cols, s, right ? s + Cols : spare + Cols,
                                below ? s + outW * Cols : spare + 2 * Cols, right && below ? s + (outW + 1) * Cols : spare + 3 * Cols);
                        }
                    }
                }
                for (int b = 0; b < blocks; b++)
                    ConvPixelsAvx2.Scatter(stage + (long)b * positions * Cols, positions, Math.Min(Cols, cout - b * Cols),
                        yn + b * Cols * outPlane, (nint)outPlane, accumulate);
            }
            ArrayPool<float>.Shared.Return(buf);
        }

    }

    // ws[(padT + r)·wp + padL + col][c] = x[c, r, col] (x: cin planes of hin × win); nothing else written (the callers
    // clear the padding and the channels past cin). 8 × 8 blocks (8 channels × 8 columns) transposed, the rest one by one.
    internal static void ToChannelLast(float* x, int cin, int hin, int win, int padT, int padL, float* ws, int wp, int cpitch)
    {
        long plane = (long)hin * win;
        int c8 = cin / Vl * Vl, w8 = win / Vl * Vl;
        // 8 channel planes at a time, each read in order.
        for (int c0 = 0; c0 < cin; c0 += Vl)
            for (int r = 0; r < hin; r++)
            {
                float* s = x + (long)r * win;
                float* d = ws + ((long)(padT + r) * wp + padL) * cpitch;
                int col0 = 0;
                if (c0 < c8)
                    for (; col0 < w8; col0 += Vl)
                        ConvPixelsWeightAvx2.Transpose8x8(s + c0 * plane + col0, (nint)plane, d + (long)col0 * cpitch + c0, cpitch);
                for (int c = c0; c < Math.Min(c0 + Vl, cin); c++)
                    for (int col = col0; col < win; col++) d[(long)col * cpitch + c] = s[c * plane + col];
            }
    }

    // v[ξ·vStride + c] = (Bᵀ d B)[ξ] of channel c, d[i][j] = x[i·rowPitch + j·cp + c], c < cp (8 at a time).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputTransform(float* x, int rowPitch, int cp, float* v, int vStride)
    {
        for (int c = 0; c < cp; c += Vl)
        {
            float* p = x + c;
            // Bᵀ d, column by column j.
            BtColumn(p, rowPitch, out var r00, out var r10, out var r20, out var r30);
            BtColumn(p + cp, rowPitch, out var r01, out var r11, out var r21, out var r31);
            BtColumn(p + 2 * cp, rowPitch, out var r02, out var r12, out var r22, out var r32);
            BtColumn(p + 3 * cp, rowPitch, out var r03, out var r13, out var r23, out var r33);
            float* o = v + c;
            Row(o, vStride, r00, r01, r02, r03);
            Row(o + 4 * vStride, vStride, r10, r11, r12, r13);
            Row(o + 8 * vStride, vStride, r20, r21, r22, r23);
            Row(o + 12 * vStride, vStride, r30, r31, r32, r33);
        }
    }

    // Column j of Bᵀ d from the 4 rows of d (rowPitch apart): d0 − d2, d1 + d2, d2 − d1, d1 − d3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BtColumn(float* p, int rowPitch, out Vector256<float> r0, out Vector256<float> r1,
        out Vector256<float> r2, out Vector256<float> r3)
    {
        var d0 = Avx.LoadVector256(p); var d1 = Avx.LoadVector256(p + rowPitch);
        var d2 = Avx.LoadVector256(p + 2 * rowPitch); var d3 = Avx.LoadVector256(p + 3 * rowPitch);
        r0 = d0 - d2; r1 = d1 + d2; r2 = d2 - d1; r3 = d1 - d3;
    }

    // (X B)[i][0..3] for one row X[i][0..3].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* o, int stride, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        Avx.Store(o, a0 - a2);
        Avx.Store(o + stride, a1 + a2);
        Avx.Store(o + 2 * stride, a2 - a1);
        Avx.Store(o + 3 * stride, a1 - a3);
    }

    // (Aᵀ M A)[a][b] + bias of 16 channels, M[ξ] = m[ξ·6·16 + 0:16], to d00, d01, d10, d11 (a, b = 0, 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransform(float* m, float* bias, float* d00, float* d01, float* d10, float* d11)
    {
        const int s = Tiles * Cols;
        for (int h = 0; h < Cols; h += Vl)
        {
            float* p = m + h;
            var bv = Avx.LoadVector256(bias + h);
            // T = Aᵀ M (2 × 4), column by column.
            Vector256<float> t00, t01, t02, t03, t10, t11, t12, t13;
            Column(p, s, out t00, out t10);
            Column(p + s, s, out t01, out t11);
            Column(p + 2 * s, s, out t02, out t12);
            Column(p + 3 * s, s, out t03, out t13);
            Avx.Store(d00 + h, bv + (t00 + t01 + t02));
            Avx.Store(d01 + h, bv + (t01 - t02 - t03));
            Avx.Store(d10 + h, bv + (t10 + t11 + t12));
            Avx.Store(d11 + h, bv + (t11 - t12 - t13));
        }
    }

    // Column j of Aᵀ M: M[0][j] + M[1][j] + M[2][j] and M[1][j] − M[2][j] − M[3][j] (rows 4·s apart).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(float* p, int s, out Vector256<float> t0, out Vector256<float> t1)
    {
        var m0 = Avx.LoadVector256(p); var m1 = Avx.LoadVector256(p + 4 * s);
        var m2 = Avx.LoadVector256(p + 8 * s); var m3 = Avx.LoadVector256(p + 12 * s);
        t0 = m0 + m1 + m2;
        t1 = m1 - m2 - m3;
    }
}
