using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The 128-bit register tile of the implicit-GEMM convolution (<see cref="ConvDirect"/>) for machines without AVX2:
/// ARM64's NEON and x86 run with <c>DOTNET_EnableAVX2=0</c>. 16 vector registers hold a forward tile of 4 channels × 12
/// positions: 12 accumulators, 3 image vectors and one broadcast weight. Multiply-adds are fused where the hardware
/// fuses them (NEON, FMA3), else a multiply and an add.
/// </summary>
internal static unsafe class ConvDirect128
{
    /// <summary>Rows (channels) of the forward tile.</summary>
    public const int Mr = 4;

    /// <summary>Positions of the forward tile.</summary>
    public const int QBlock = 12;

    /// <summary>out[r, 0:12] = bias[r] + Σ_t w[t][r] · x[off[t] + 0:12] for r &lt; 4 (rows ldo apart), taps in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x12(int taps, int* off, float* x, float* w, float* bias, float* o, nint ldo)
    {
        Vector128<float> c00 = Vector128.Create(bias[0]), c01 = c00, c02 = c00;
        Vector128<float> c10 = Vector128.Create(bias[1]), c11 = c10, c12 = c10;
        Vector128<float> c20 = Vector128.Create(bias[2]), c21 = c20, c22 = c20;
        Vector128<float> c30 = Vector128.Create(bias[3]), c31 = c30, c32 = c30;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var x0 = Vector128.Load(xp);
            var x1 = Vector128.Load(xp + 4);
            var x2 = Vector128.Load(xp + 8);
            var a = Vector128.Create(w[0]);
            c00 = Vector128.MultiplyAddEstimate(a, x0, c00); c01 = Vector128.MultiplyAddEstimate(a, x1, c01); c02 = Vector128.MultiplyAddEstimate(a, x2, c02);
            a = Vector128.Create(w[1]);
            c10 = Vector128.MultiplyAddEstimate(a, x0, c10); c11 = Vector128.MultiplyAddEstimate(a, x1, c11); c12 = Vector128.MultiplyAddEstimate(a, x2, c12);
            a = Vector128.Create(w[2]);
            c20 = Vector128.MultiplyAddEstimate(a, x0, c20); c21 = Vector128.MultiplyAddEstimate(a, x1, c21); c22 = Vector128.MultiplyAddEstimate(a, x2, c22);
            a = Vector128.Create(w[3]);
            c30 = Vector128.MultiplyAddEstimate(a, x0, c30); c31 = Vector128.MultiplyAddEstimate(a, x1, c31); c32 = Vector128.MultiplyAddEstimate(a, x2, c32);
            w += Mr;
        }
        c00.Store(o); c01.Store(o + 4); c02.Store(o + 8); o += ldo;
        c10.Store(o); c11.Store(o + 4); c12.Store(o + 8); o += ldo;
        c20.Store(o); c21.Store(o + 4); c22.Store(o + 8); o += ldo;
        c30.Store(o); c31.Store(o + 4); c32.Store(o + 8);
    }
}
