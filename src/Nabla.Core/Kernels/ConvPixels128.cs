using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The 128-bit "pixel rows" register tile of <see cref="ConvWinograd128"/> and, over a list of valid positions
/// (<see cref="TileAt"/>), of the direct convolution (ARM64's NEON, x86 with <c>DOTNET_EnableAVX2=0</c>): 6 rows × 8 channels, 12 accumulators, 2 weight vectors and one broadcast value (and, where
/// the multiply-add is not fused, one product), 16 vector registers. Its result is row-major; <see cref="Scatter"/>
/// transposes it to channel-major planes.
/// </summary>
/// <remarks>
/// Every output is Σ_t x[t] · w[t] in tap order, fused where the hardware fuses (NEON, FMA3), else a multiply and an
/// add, as in <see cref="ConvDirect128"/>.
/// </remarks>
internal static unsafe class ConvPixels128
{
    /// <summary>Rows (positions or tiles) of the tile.</summary>
    public const int Rows = 6;

    /// <summary>Channels (two vectors) of the tile.</summary>
    public const int Cols = 8;

    /// <summary>o[i, 0:8] = Σ_t x[i·ldx + t] · w[t][0:8] for the 6 rows i (rows of o 8 floats apart), t &lt; taps in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int taps, float* x, nint ldx, float* w, float* o)
    {
        float* x3 = x + 3 * ldx;
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint t = 0; t < taps; t++)
        {
            var w0 = Vector128.Load(w);
            var w1 = Vector128.Load(w + 4);
            var a = Vector128.Create(x[t]);
            c00 = Vector128.MultiplyAddEstimate(a, w0, c00); c01 = Vector128.MultiplyAddEstimate(a, w1, c01);
            a = Vector128.Create(x[ldx + t]);
            c10 = Vector128.MultiplyAddEstimate(a, w0, c10); c11 = Vector128.MultiplyAddEstimate(a, w1, c11);
            a = Vector128.Create(x[2 * ldx + t]);
            c20 = Vector128.MultiplyAddEstimate(a, w0, c20); c21 = Vector128.MultiplyAddEstimate(a, w1, c21);
            a = Vector128.Create(x3[t]);
            c30 = Vector128.MultiplyAddEstimate(a, w0, c30); c31 = Vector128.MultiplyAddEstimate(a, w1, c31);
            a = Vector128.Create(x3[ldx + t]);
            c40 = Vector128.MultiplyAddEstimate(a, w0, c40); c41 = Vector128.MultiplyAddEstimate(a, w1, c41);
            a = Vector128.Create(x3[2 * ldx + t]);
            c50 = Vector128.MultiplyAddEstimate(a, w0, c50); c51 = Vector128.MultiplyAddEstimate(a, w1, c51);
            w += Cols;
        }
        c00.Store(o); c01.Store(o + 4);
        c10.Store(o + 8); c11.Store(o + 12);
        c20.Store(o + 16); c21.Store(o + 20);
        c30.Store(o + 24); c31.Store(o + 28);
        c40.Store(o + 32); c41.Store(o + 36);
        c50.Store(o + 40); c51.Store(o + 44);
    }

    /// <summary>
    /// True when the implicit-GEMM convolution (<see cref="ConvDirect"/>) computes fewer multiply-adds with this tile over
    /// the valid positions (<see cref="TileAt"/>) than with the channel-rows tile <see cref="ConvDirect128.Tile4x12"/>.
    /// </summary>
    public static bool Better(int kout, int taps, int outH, int outW, int wp) =>
        ConvDirect.PixelRowsCheaper(kout, taps, outH, outW, wp, Rows, Cols, ConvDirect128.Mr, ConvDirect128.QBlock);

    /// <summary>
    /// o[i, 0:8] = bias[0:8] + Σ_t x[pix[i] + off[t]] · w[t][0:8] for the 6 positions i (rows 8 floats apart), taps in
    /// order: the direct convolution's tile over a list of valid positions. Each output sums exactly as
    /// <see cref="ConvDirect128.Tile4x12"/> does, so the two tiles give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileAt(int taps, int* off, float* x, int* pix, float* w, float* bias, float* o)
    {
        nint p0 = pix[0], p1 = pix[1], p2 = pix[2], p3 = pix[3], p4 = pix[4], p5 = pix[5];
        Vector128<float> c00 = Vector128.Load(bias), c01 = Vector128.Load(bias + 4);
        Vector128<float> c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01, c50 = c00, c51 = c01;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var w0 = Vector128.Load(w);
            var w1 = Vector128.Load(w + 4);
            var a = Vector128.Create(xp[p0]);
            c00 = Vector128.MultiplyAddEstimate(w0, a, c00); c01 = Vector128.MultiplyAddEstimate(w1, a, c01);
            a = Vector128.Create(xp[p1]);
            c10 = Vector128.MultiplyAddEstimate(w0, a, c10); c11 = Vector128.MultiplyAddEstimate(w1, a, c11);
            a = Vector128.Create(xp[p2]);
            c20 = Vector128.MultiplyAddEstimate(w0, a, c20); c21 = Vector128.MultiplyAddEstimate(w1, a, c21);
            a = Vector128.Create(xp[p3]);
            c30 = Vector128.MultiplyAddEstimate(w0, a, c30); c31 = Vector128.MultiplyAddEstimate(w1, a, c31);
            a = Vector128.Create(xp[p4]);
            c40 = Vector128.MultiplyAddEstimate(w0, a, c40); c41 = Vector128.MultiplyAddEstimate(w1, a, c41);
            a = Vector128.Create(xp[p5]);
            c50 = Vector128.MultiplyAddEstimate(w0, a, c50); c51 = Vector128.MultiplyAddEstimate(w1, a, c51);
            w += Cols;
        }
        c00.Store(o); c01.Store(o + 4);
        c10.Store(o + 8); c11.Store(o + 12);
        c20.Store(o + 16); c21.Store(o + 20);
        c30.Store(o + 24); c31.Store(o + 28);
        c40.Store(o + 32); c41.Store(o + 36);
        c50.Store(o + 40); c51.Store(o + 44);
    }

    /// <summary>
    /// dst[k, p] (+)= src[p, k] for k &lt; <paramref name="channels"/> (at most 8), p &lt; <paramref name="positions"/>:
    /// the row-major tile output (rows 8 floats apart) into channel-major planes <paramref name="plane"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scatter(float* src, int positions, int channels, float* dst, nint plane, bool accumulate)
    {
        int p = 0;
        for (; p + 4 <= positions; p += 4)
            for (int k0 = 0; k0 < channels; k0 += 4)
            {
                float* s = src + (nint)p * Cols + k0;
                var v0 = Vector128.Load(s); var v1 = Vector128.Load(s + Cols);
                var v2 = Vector128.Load(s + 2 * Cols); var v3 = Vector128.Load(s + 3 * Cols);
                GemmPacking128.Transpose4x4(ref v0, ref v1, ref v2, ref v3);
                int n = Math.Min(4, channels - k0);
                float* d = dst + k0 * plane + p;
                Put(d, 0, n, plane, v0, accumulate); Put(d, 1, n, plane, v1, accumulate);
                Put(d, 2, n, plane, v2, accumulate); Put(d, 3, n, plane, v3, accumulate);
            }
        for (; p < positions; p++)
            for (int k = 0; k < channels; k++)
            {
                float v = src[(nint)p * Cols + k];
                float* e = dst + k * plane + p;
                *e = accumulate ? *e + v : v;
            }
    }

    // Row j of a transposed 4×4 block, kept only for the first n channels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* d, int j, int n, nint plane, Vector128<float> v, bool accumulate)
    {
        if (j >= n) return;
        float* e = d + j * plane;
        if (accumulate) v += Vector128.Load(e);
        v.Store(e);
    }
}
