using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The AVX2/FMA pixel-rows weight-gradient tile of the implicit-GEMM convolution (<see cref="ConvDirect"/>):
/// dW[k, t] = Σ_n Σ_p dy[n, k, p] · x[n, pixel(p) + off[t]] for 16 channels k × 6 taps t in 12 accumulators, one output
/// position p per step (two dy vectors of 16 channels, 6 broadcast image values). Against the channel-rows tile
/// (<see cref="ConvDirectAvx2.Tile2x6"/>) it reads the image with 4-byte broadcasts instead of unaligned 32-byte
/// loads, visits only the valid positions (not the Wp − OW thrown-away columns of every row) and needs no sum of lanes
/// at the end; the output gradient is first re-laid channel-minor, [16-channel block][sample][position][16].
/// </summary>
internal static unsafe class ConvPixelsWeightAvx2
{
    /// <summary>Channels (two vectors) of the tile.</summary>
    public const int Cols = 16;

    /// <summary>Taps of the tile.</summary>
    public const int Taps = 6;

    /// <summary>
    /// True when this tile does fewer multiply-adds than the channel-rows one for <paramref name="k"/> output channels
    /// of <paramref name="outH"/> × <paramref name="outW"/> read at pitch <paramref name="wp"/>.
    /// </summary>
    public static bool Better(int k, int outH, int outW, int wp)
    {
        long p = (long)outH * outW, q = (long)(outH - 1) * wp + outW;
        long pixelRows = p * ((k + Cols - 1) / Cols * Cols);
        long channelRows = (q + ConvDirectAvx2.Vl - 1) / ConvDirectAvx2.Vl * ConvDirectAvx2.Vl
            * ((k + ConvDirectAvx2.WRows - 1) / ConvDirectAvx2.WRows * ConvDirectAvx2.WRows);
        return pixelRows < channelRows;
    }

    /// <summary>
    /// sums[t·16 + r] = Σ_s Σ_(row, col) dy[s][p][r] · x[s][row·wp + col + off[t]] for r &lt; 16, t &lt; 6, over the
    /// positions p = row·outW + col in order (dy rows 16 floats apart), then the samples in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int samples, int outH, int outW, float* dy, nint dyStride, float* x, nint xStride, nint wp,
        int* off, float* sums)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
        for (int s = 0; s < samples; s++)
        {
            float* d = dy + s * dyStride;
            float* xs = x + s * xStride;
            for (int r = 0; r < outH; r++)
            {
                float* xr = xs + r * wp, end = xr + outW;
                for (; xr < end; xr++, d += Cols)
                {
                    var d0 = Avx.LoadVector256(d);
                    var d1 = Avx.LoadVector256(d + 8);
                    var a = Avx.BroadcastScalarToVector256(xr + o0);
                    c00 = Fma.MultiplyAdd(a, d0, c00); c01 = Fma.MultiplyAdd(a, d1, c01);
                    a = Avx.BroadcastScalarToVector256(xr + o1);
                    c10 = Fma.MultiplyAdd(a, d0, c10); c11 = Fma.MultiplyAdd(a, d1, c11);
                    a = Avx.BroadcastScalarToVector256(xr + o2);
                    c20 = Fma.MultiplyAdd(a, d0, c20); c21 = Fma.MultiplyAdd(a, d1, c21);
                    a = Avx.BroadcastScalarToVector256(xr + o3);
                    c30 = Fma.MultiplyAdd(a, d0, c30); c31 = Fma.MultiplyAdd(a, d1, c31);
                    a = Avx.BroadcastScalarToVector256(xr + o4);
                    c40 = Fma.MultiplyAdd(a, d0, c40); c41 = Fma.MultiplyAdd(a, d1, c41);
                    a = Avx.BroadcastScalarToVector256(xr + o5);
                    c50 = Fma.MultiplyAdd(a, d0, c50); c51 = Fma.MultiplyAdd(a, d1, c51);
                }
            }
        }
        Avx.Store(sums, c00); Avx.Store(sums + 8, c01);
        Avx.Store(sums + 16, c10); Avx.Store(sums + 24, c11);
        Avx.Store(sums + 32, c20); Avx.Store(sums + 40, c21);
        Avx.Store(sums + 48, c30); Avx.Store(sums + 56, c31);
        Avx.Store(sums + 64, c40); Avx.Store(sums + 72, c41);
        Avx.Store(sums + 80, c50); Avx.Store(sums + 88, c51);
    }

    /// <summary>
    /// dst[p·16 + r] = src[r·positions + p] for r &lt; <paramref name="channels"/> (at most 16), zero for the rest:
    /// one sample's 16-channel block of dy, channel-minor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(float* src, int positions, int channels, float* dst)
    {
        for (int r0 = 0; r0 < Cols; r0 += 8)
        {
            int p = 0;
            if (r0 + 8 <= channels)
                for (; p + 8 <= positions; p += 8)
                    Transpose8x8(src + (nint)r0 * positions + p, positions, dst + (nint)p * Cols + r0, Cols);
            for (; p < positions; p++)
                for (int r = r0; r < r0 + 8; r++)
                    dst[(nint)p * Cols + r] = r < channels ? src[(nint)r * positions + p] : 0f;
        }
    }

    // dst[j·ld + i] = src[i·ls + j] for i, j < 8.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, nint ls, float* dst, nint ld)
    {
        ConvPixelsAvx2.Transpose(src, ls, out var v0, out var v1, out var v2, out var v3, out var v4, out var v5, out var v6, out var v7);
        Avx.Store(dst, v0); Avx.Store(dst + ld, v1); Avx.Store(dst + 2 * ld, v2); Avx.Store(dst + 3 * ld, v3);
        Avx.Store(dst + 4 * ld, v4); Avx.Store(dst + 5 * ld, v5); Avx.Store(dst + 6 * ld, v6); Avx.Store(dst + 7 * ld, v7);
    }
}
