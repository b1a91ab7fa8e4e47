using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) for 3×3, stride-1, single-group float convolutions on the 128-bit path (ARM64's NEON, x86 with
/// <c>DOTNET_EnableAVX2=0</c>), written with the portable <see cref="Vector128"/> API only: the transform of
/// <see cref="ConvWinogradAvx2"/> (whose doc comment has the matrices), 4 channels per vector and the 6-tile × 8-channel
/// register tile <see cref="ConvPixels128"/>.
/// </summary>
/// <remarks>
/// <para>
/// U = G g Gᵀ is computed once per call (<see cref="ConvWinogradAvx2.TransformWeights"/>), laid out
/// [8-channel block][ξ][C′][8] (C′ = C rounded to 4). Per sample (each wholly on one thread): the image is zero-padded
/// into a channel-last workspace [Hp][Wp][C′]; for every block of 6 tiles, V = Bᵀ d B into [ξ][6][C′]; for every
/// 8-channel block, the 16 products M[ξ] = V[ξ] (6 × C′) · U[ξ] (C′ × 8); then Aᵀ M A (+ bias) into a position-major
/// workspace [block][OH·OW][8], transposed at the end into the output's channel planes, stored or added.
/// </para>
/// <para>
/// The input gradient is the same transform of dy, padded by 2 − p, with the flipped, transposed weights. Products are
/// fused where the hardware fuses, else a multiply and an add. Every output is summed by one thread in a fixed order
/// whatever the thread count, so results are bit-identical for any <see cref="Tensors.Threads.Max"/>.
/// </para>
/// </remarks>
internal static unsafe class ConvWinograd128
{
    private const int Tiles = ConvPixels128.Rows, Cols = ConvPixels128.Cols, Vl = 4, Xi = 16;

    // Measured on one Zen 3 core with DOTNET_EnableAVX2=0 (batch 64, 3x3 "same" on 28x28, minima of the kernels alone,
    // Winograd against the direct tile forward and im2col + GEMM for the input gradient): from 6 channels each way
    // Winograd is faster (6 -> 6: 1.60 / 1.61 ms against 1.92 / 2.33; 8 -> 8: 1.62 / 1.63 against 3.87 / 3.67; 16 -> 16:
    // 4.9 / 4.9 against 10.5 / 11.6); with 4 or fewer on either side often slower (4 -> 4 forward 0.91 against 0.68,
    // 2 -> 16 forward 1.78 against 1.43, 1 -> 32 forward 2.9 against 1.3, 16 -> 4 forward 2.81 against 2.69).
    private const int MinChannels = 6;

    /// <summary>Tests and benchmarks set this to keep the direct tile (or im2col) where Winograd would run.</summary>
    internal static bool Disable { get; set; }

    /// <summary>Tests set this to run Winograd on every eligible geometry, whatever the channel counts.</summary>
    internal static bool Force { get; set; }

    // 3×3, stride 1, no dilation, one group, padding at most 2; 128-bit vectors only (AVX2 runs ConvWinogradAvx2).
    internal static bool Eligible(in Conv2dGeometry g) =>
        !Disable && !ConvDirect.Disable && !Gemm.UsesAvx2 && Vector128.IsHardwareAccelerated
        && g.Groups == 1 && g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH <= 2 && g.PadW <= 2;

    private static bool Enough(int cin, int cout) => Force || (cin >= MinChannels && cout >= MinChannels);

    /// <summary>True when the forward pass of this geometry (float) runs here.</summary>
    public static bool Applies(in Conv2dGeometry g) => Eligible(g) && Enough(g.InChannels, g.OutChannels);

    /// <summary>True when the input gradient of this geometry (float) runs here.</summary>
    public static bool AppliesBackwardInput(in Conv2dGeometry g) => Eligible(g) && Enough(g.OutChannels, g.InChannels);

    /// <summary>y = conv(x, w) + b (bias may be null).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* y)
    {
        int c = g.InChannels, k = g.OutChannels;
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
            ConvWinogradAvx2.TransformWeights(w, so, si, sr, ss, cin, cout, cp, Cols, blocks, pu);
            for (int o = 0; o < blocks * Cols; o++) pb[o] = bias is not null && o < cout ? bias[o] : 0f;
            var plan = new Plan(src, cin, hin, win, padT, padL, cp, pu, pb, cout, dst, outH, outW, accumulate);
            Parallelism.For(batch, plan, static (p, n) => p.Sample(n));
        }
        ArrayPool<float>.Shared.Return(buf);
    }

    private sealed class Plan(float* src, int cin, int hin, int win, int padT, int padL, int cp, float* u, float* bias,
        int cout, float* dst, int outH, int outW, bool accumulate)
    {
        private readonly int _th = (outH + 1) / 2, _tw = (outW + 1) / 2;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Sample(int n)
        {
            int hp = 2 * _th + 2, wp = 2 * _tw + 2, tiles = _th * _tw, blocks = (cout + Cols - 1) / Cols, positions = outH * outW;
            int wsLen = hp * wp * cp, vLen = Xi * Tiles * cp, mLen = Xi * Tiles * Cols, stageLen = blocks * positions * Cols;
            float[] buf = ArrayPool<float>.Shared.Rent(wsLen + vLen + mLen + stageLen + 4 * Cols);
            long outPlane = (long)outH * outW;
            fixed (float* pws = buf)
            {
                // stage: every 8-channel block's output, position-major; spare: the outputs of a partial tile past the
                // last row or column.
                float* v = pws + wsLen, m = v + vLen, stage = m + mLen, spare = stage + stageLen;
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
                        for (int xi = 0; xi < Xi; xi++)
                            ConvPixels128.Tile(cp, v + xi * Tiles * cp, cp, ub + (long)xi * cp * Cols, m + xi * Tiles * Cols);
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
                float* yn = dst + (long)n * cout * outPlane;
                for (int b = 0; b < blocks; b++)
                    ConvPixels128.Scatter(stage + (long)b * positions * Cols, positions, Math.Min(Cols, cout - b * Cols),
                        yn + b * Cols * outPlane, (nint)outPlane, accumulate);
            }
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    // ws[(padT + r)·wp + padL + col][c] = x[c, r, col]; nothing else written. 4 × 4 blocks transposed, the rest one by one.
    internal static void ToChannelLast(float* x, int cin, int hin, int win, int padT, int padL, float* ws, int wp, int cpitch)
    {
        long plane = (long)hin * win;
        int c4 = cin / Vl * Vl, w4 = win / Vl * Vl;
        for (int c0 = 0; c0 < cin; c0 += Vl)
            for (int r = 0; r < hin; r++)
            {
                float* s = x + c0 * plane + (long)r * win;
                float* d = ws + ((long)(padT + r) * wp + padL) * cpitch + c0;
                int col0 = 0;
                if (c0 < c4)
                    for (; col0 < w4; col0 += Vl)
                    {
                        var r0 = Vector128.Load(s + col0); var r1 = Vector128.Load(s + plane + col0);
                        var r2 = Vector128.Load(s + 2 * plane + col0); var r3 = Vector128.Load(s + 3 * plane + col0);
                        GemmPacking128.Transpose4x4(ref r0, ref r1, ref r2, ref r3);
                        float* e = d + (long)col0 * cpitch;
                        r0.Store(e); r1.Store(e + cpitch); r2.Store(e + 2 * cpitch); r3.Store(e + 3 * cpitch);
                    }
                for (int c = 0; c < Math.Min(Vl, cin - c0); c++)
                    for (int col = col0; col < win; col++) d[(long)col * cpitch + c] = s[c * plane + col];
            }
    }

    // v[ξ·vStride + c] = (Bᵀ d B)[ξ] of channel c, d[i][j] = x[i·rowPitch + j·cp + c], c < cp (4 at a time).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputTransform(float* x, int rowPitch, int cp, float* v, int vStride)
    {
        for (int c = 0; c < cp; c += Vl)
        {
            float* p = x + c;
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
    private static void BtColumn(float* p, int rowPitch, out Vector128<float> r0, out Vector128<float> r1,
        out Vector128<float> r2, out Vector128<float> r3)
    {
        var d0 = Vector128.Load(p); var d1 = Vector128.Load(p + rowPitch);
        var d2 = Vector128.Load(p + 2 * rowPitch); var d3 = Vector128.Load(p + 3 * rowPitch);
        r0 = d0 - d2; r1 = d1 + d2; r2 = d2 - d1; r3 = d1 - d3;
    }

    // (X B)[i][0..3] for one row X[i][0..3].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* o, int stride, Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3)
    {
        (a0 - a2).Store(o);
        (a1 + a2).Store(o + stride);
        (a2 - a1).Store(o + 2 * stride);
        (a1 - a3).Store(o + 3 * stride);
    }

    // (Aᵀ M A)[a][b] + bias of 8 channels, M[ξ] = m[ξ·6·8 + 0:8], to d00, d01, d10, d11 (a, b = 0, 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransform(float* m, float* bias, float* d00, float* d01, float* d10, float* d11)
    {
        const int s = Tiles * Cols;
        for (int h = 0; h < Cols; h += Vl)
        {
            float* p = m + h;
            var bv = Vector128.Load(bias + h);
            // T = Aᵀ M (2 × 4), column by column.
            Column(p, s, out var t00, out var t10);
            Column(p + s, s, out var t01, out var t11);
            Column(p + 2 * s, s, out var t02, out var t12);
            Column(p + 3 * s, s, out var t03, out var t13);
            (bv + (t00 + t01 + t02)).Store(d00 + h);
            (bv + (t01 - t02 - t03)).Store(d01 + h);
            (bv + (t10 + t11 + t12)).Store(d10 + h);
            (bv + (t11 - t12 - t13)).Store(d11 + h);
        }
    }

    // Column j of Aᵀ M: M[0][j] + M[1][j] + M[2][j] and M[1][j] − M[2][j] − M[3][j] (rows 4·s apart).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(float* p, int s, out Vector128<float> t0, out Vector128<float> t1)
    {
        var m0 = Vector128.Load(p); var m1 = Vector128.Load(p + 4 * s);
        var m2 = Vector128.Load(p + 8 * s); var m3 = Vector128.Load(p + 12 * s);
        t0 = m0 + m1 + m2;
        t1 = m1 - m2 - m3;
    }
}
