using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The AVX2/FMA register tiles of the implicit-GEMM convolution (<see cref="ConvDirect"/>) for machines without
/// AVX-512: 16 ymm registers hold a forward tile of 6 channels × 16 positions (12 accumulators, 2 image vectors, one
/// broadcast weight, as the 6×16 GEMM micro-kernel) and a weight-gradient tile of 2 channels × 6 taps.
/// </summary>
internal static unsafe class ConvDirectAvx2
{
    /// <summary>Rows (channels) of the forward tile.</summary>
    public const int Mr = 6;

    /// <summary>Positions of the forward tile.</summary>
    public const int QBlock = 16;

    /// <summary>Floats per vector.</summary>
    public const int Vl = 8;

    /// <summary>Channels of the weight-gradient tile.</summary>
    public const int WRows = 2;

    /// <summary>out[r, 0:16] = bias[r] + Σ_t w[t][r] · x[off[t] + 0:16] for r &lt; 6 (rows ldo apart), taps in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16(int taps, int* off, float* x, float* w, float* bias, float* o, nint ldo)
    {
        Vector256<float> c00 = Vector256.Create(bias[0]), c01 = c00;
        Vector256<float> c10 = Vector256.Create(bias[1]), c11 = c10;
        Vector256<float> c20 = Vector256.Create(bias[2]), c21 = c20;
        Vector256<float> c30 = Vector256.Create(bias[3]), c31 = c30;
        Vector256<float> c40 = Vector256.Create(bias[4]), c41 = c40;
        Vector256<float> c50 = Vector256.Create(bias[5]), c51 = c50;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var x0 = Avx.LoadVector256(xp);
            var x1 = Avx.LoadVector256(xp + 8);
            var a = Avx.BroadcastScalarToVector256(w);
            c00 = Fma.MultiplyAdd(a, x0, c00); c01 = Fma.MultiplyAdd(a, x1, c01);
            a = Avx.BroadcastScalarToVector256(w + 1);
            c10 = Fma.MultiplyAdd(a, x0, c10); c11 = Fma.MultiplyAdd(a, x1, c11);
            a = Avx.BroadcastScalarToVector256(w + 2);
            c20 = Fma.MultiplyAdd(a, x0, c20); c21 = Fma.MultiplyAdd(a, x1, c21);
            a = Avx.BroadcastScalarToVector256(w + 3);
            c30 = Fma.MultiplyAdd(a, x0, c30); c31 = Fma.MultiplyAdd(a, x1, c31);
            a = Avx.BroadcastScalarToVector256(w + 4);
            c40 = Fma.MultiplyAdd(a, x0, c40); c41 = Fma.MultiplyAdd(a, x1, c41);
            a = Avx.BroadcastScalarToVector256(w + 5);
            c50 = Fma.MultiplyAdd(a, x0, c50); c51 = Fma.MultiplyAdd(a, x1, c51);
            w += Mr;
        }
        Avx.Store(o, c00); Avx.Store(o + 8, c01); o += ldo;
        Avx.Store(o, c10); Avx.Store(o + 8, c11); o += ldo;
        Avx.Store(o, c20); Avx.Store(o + 8, c21); o += ldo;
        Avx.Store(o, c30); Avx.Store(o + 8, c31); o += ldo;
        Avx.Store(o, c40); Avx.Store(o + 8, c41); o += ldo;
        Avx.Store(o, c50); Avx.Store(o + 8, c51);
    }

    /// <summary>
    /// sums[r, t] = Σ_s Σ_v dy[s][r][v·8 : +8] · x[s][off[t] + v·8 : +8] for r &lt; 2, t &lt; 6: samples, then vectors in
    /// order per lane, the 8 lanes summed at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile2x6(int samples, int qv, float* dy, nint ld, nint dyStride, float* x, nint xStride, int* off, float* sums)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        int o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
        for (int s = 0; s < samples; s++)
        {
            float* d = dy + s * dyStride;
            float* xs = x + s * xStride;
            float* end = d + (nint)qv * Vl;
            for (; d < end; d += Vl, xs += Vl)
            {
                var d0 = Avx.LoadVector256(d);
                var d1 = Avx.LoadVector256(d + ld);
                var xv = Avx.LoadVector256(xs + o0);
                c00 = Fma.MultiplyAdd(d0, xv, c00); c10 = Fma.MultiplyAdd(d1, xv, c10);
                xv = Avx.LoadVector256(xs + o1);
                c01 = Fma.MultiplyAdd(d0, xv, c01); c11 = Fma.MultiplyAdd(d1, xv, c11);
                xv = Avx.LoadVector256(xs + o2);
                c02 = Fma.MultiplyAdd(d0, xv, c02); c12 = Fma.MultiplyAdd(d1, xv, c12);
                xv = Avx.LoadVector256(xs + o3);
                c03 = Fma.MultiplyAdd(d0, xv, c03); c13 = Fma.MultiplyAdd(d1, xv, c13);
                xv = Avx.LoadVector256(xs + o4);
                c04 = Fma.MultiplyAdd(d0, xv, c04); c14 = Fma.MultiplyAdd(d1, xv, c14);
                xv = Avx.LoadVector256(xs + o5);
                c05 = Fma.MultiplyAdd(d0, xv, c05); c15 = Fma.MultiplyAdd(d1, xv, c15);
            }
        }
        sums[0] = Vector256.Sum(c00); sums[1] = Vector256.Sum(c01); sums[2] = Vector256.Sum(c02);
        sums[3] = Vector256.Sum(c03); sums[4] = Vector256.Sum(c04); sums[5] = Vector256.Sum(c05);
        sums[6] = Vector256.Sum(c10); sums[7] = Vector256.Sum(c11); sums[8] = Vector256.Sum(c12);
        sums[9] = Vector256.Sum(c13); sums[10] = Vector256.Sum(c14); sums[11] = Vector256.Sum(c15);
    }
}
