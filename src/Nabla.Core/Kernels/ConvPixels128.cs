using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The 128-bit "pixel rows" register tile of <see cref="ConvWinograd128"/> (ARM64's NEON, x86 with
/// <c>DOTNET_EnableAVX2=0</c>): 6 rows × 8 channels, 12 accumulators, 2 weight vectors and one broadcast value (and, where
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
