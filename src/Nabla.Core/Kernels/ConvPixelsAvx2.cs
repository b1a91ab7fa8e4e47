using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The AVX2/FMA "pixel rows" tile of the implicit-GEMM convolution (<see cref="ConvDirect"/>): 6 output positions ×
/// 16 output channels (12 accumulators, 2 weight vectors, one broadcast image value). Where <see cref="ConvDirectAvx2"/>
/// puts channels in rows and contiguous positions in vectors, so that the Wp − OW thrown-away columns of every output
/// row and the rows past the last 6-channel block are computed too, this tile takes its 6 positions from a list of the
/// valid ones only and its channels from the vectors: with 16 channels (LeNet conv2: 16 × 100 positions) nothing but
/// the last tile's rounding to 6 positions is wasted. The result comes out position-major and
/// <see cref="Scatter"/> transposes it to the channel-major output.
/// </summary>
/// <remarks>
/// Every output is bias + Σ_t w[t] · x[t] fused in tap order, as in the channel-rows tile, so the two tiles give the
/// same bits.
/// </remarks>
internal static unsafe class ConvPixelsAvx2
{
    /// <summary>Positions (rows) of the tile.</summary>
    public const int Rows = 6;

    /// <summary>Channels (two vectors) of the tile.</summary>
    public const int Cols = 16;

    /// <summary>
    /// True when pixel rows compute fewer multiply-adds than the channel-rows tile for a stride-1 convolution to
    /// <paramref name="kout"/> channels of <paramref name="outH"/> × <paramref name="outW"/> read at pitch <paramref name="wp"/>.
    /// </summary>
    public static bool Better(int kout, int taps, int outH, int outW, int wp) =>
        ConvDirect.PixelRowsCheaper(kout, taps, outH, outW, wp, Rows, Cols, ConvDirectAvx2.Mr, ConvDirectAvx2.QBlock);

    /// <summary>
    /// o[i, 0:16] = bias[0:16] + Σ_t x[pix[i] + off[t]] · w[t][0:16] for the 6 positions i (rows 16 floats apart), taps in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int taps, int* off, float* x, int* pix, float* w, float* bias, float* o)
    {
        nint p0 = pix[0], p1 = pix[1], p2 = pix[2], p3 = pix[3], p4 = pix[4], p5 = pix[5];
        Vector256<float> c00 = Avx.LoadVector256(bias), c01 = Avx.LoadVector256(bias + 8);
        Vector256<float> c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01, c50 = c00, c51 = c01;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var w0 = Avx.LoadVector256(w);
            var w1 = Avx.LoadVector256(w + 8);
            var a = Avx.BroadcastScalarToVector256(xp + p0);
            c00 = Fma.MultiplyAdd(a, w0, c00); c01 = Fma.MultiplyAdd(a, w1, c01);
            a = Avx.BroadcastScalarToVector256(xp + p1);
            c10 = Fma.MultiplyAdd(a, w0, c10); c11 = Fma.MultiplyAdd(a, w1, c11);
            a = Avx.BroadcastScalarToVector256(xp + p2);
            c20 = Fma.MultiplyAdd(a, w0, c20); c21 = Fma.MultiplyAdd(a, w1, c21);
            a = Avx.BroadcastScalarToVector256(xp + p3);
            c30 = Fma.MultiplyAdd(a, w0, c30); c31 = Fma.MultiplyAdd(a, w1, c31);
            a = Avx.BroadcastScalarToVector256(xp + p4);
            c40 = Fma.MultiplyAdd(a, w0, c40); c41 = Fma.MultiplyAdd(a, w1, c41);
            a = Avx.BroadcastScalarToVector256(xp + p5);
            c50 = Fma.MultiplyAdd(a, w0, c50); c51 = Fma.MultiplyAdd(a, w1, c51);
            w += Cols;
        }
        Avx.Store(o, c00); Avx.Store(o + 8, c01);
        Avx.Store(o + 16, c10); Avx.Store(o + 24, c11);
        Avx.Store(o + 32, c20); Avx.Store(o + 40, c21);
        Avx.Store(o + 48, c30); Avx.Store(o + 56, c31);
        Avx.Store(o + 64, c40); Avx.Store(o + 72, c41);
        Avx.Store(o + 80, c50); Avx.Store(o + 88, c51);
    }

    /// <summary>
    /// dst[k, p] (+)= src[p, k] for k &lt; <paramref name="channels"/> (at most 16), p &lt; <paramref name="positions"/>:
    /// the position-major tile output (rows 16 floats apart) into channel-major planes <paramref name="plane"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scatter(float* src, int positions, int channels, float* dst, nint plane, bool accumulate)
    {
        int p = 0;
        for (; p + 8 <= positions; p += 8)
            for (int k0 = 0; k0 < channels; k0 += 8)
            {
                Transpose(src + (nint)p * Cols + k0, Cols, out var v0, out var v1, out var v2, out var v3, out var v4, out var v5,
                    out var v6, out var v7);
                int n = Math.Min(8, channels - k0);
                float* d = dst + k0 * plane + p;
                Put(d, 0, n, plane, v0, accumulate); Put(d, 1, n, plane, v1, accumulate);
                Put(d, 2, n, plane, v2, accumulate); Put(d, 3, n, plane, v3, accumulate);
                Put(d, 4, n, plane, v4, accumulate); Put(d, 5, n, plane, v5, accumulate);
                Put(d, 6, n, plane, v6, accumulate); Put(d, 7, n, plane, v7, accumulate);
            }
        for (; p < positions; p++)
            for (int k = 0; k < channels; k++)
            {
                float v = src[(nint)p * Cols + k];
                float* e = dst + k * plane + p;
                *e = accumulate ? *e + v : v;
            }
    }

    /// <summary>o_j[i] = src[i·ls + j] for i, j &lt; 8: the columns of an 8×8 block, rows <paramref name="ls"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(float* src, nint ls, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2,
        out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + ls);
        var r2 = Avx.LoadVector256(src + 2 * ls); var r3 = Avx.LoadVector256(src + 3 * ls);
        var r4 = Avx.LoadVector256(src + 4 * ls); var r5 = Avx.LoadVector256(src + 5 * ls);
        var r6 = Avx.LoadVector256(src + 6 * ls); var r7 = Avx.LoadVector256(src + 7 * ls);
        // Pairs of rows interleaved, then 4-row groups, then the 128-bit halves exchanged.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(s0, s4, 0x20); o1 = Avx.Permute2x128(s1, s5, 0x20);
        o2 = Avx.Permute2x128(s2, s6, 0x20); o3 = Avx.Permute2x128(s3, s7, 0x20);
        o4 = Avx.Permute2x128(s0, s4, 0x31); o5 = Avx.Permute2x128(s1, s5, 0x31);
        o6 = Avx.Permute2x128(s2, s6, 0x31); o7 = Avx.Permute2x128(s3, s7, 0x31);
    }

    // Row j of a transposed 8×8 block, kept only for the first n channels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* d, int j, int n, nint plane, Vector256<float> v, bool accumulate)
    {
        if (j >= n) return;
        float* e = d + j * plane;
        if (accumulate) v = Avx.Add(v, Avx.LoadVector256(e));
        Avx.Store(e, v);
    }
}
