using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>Register-tiled AVX2/FMA micro-kernels of the packed GEMM (x64 with AVX2 and FMA only).</summary>
internal static unsafe class GemmKernelsAvx2
{
    /// <summary>Rows of the single-precision tile.</summary>
    public const int SMr = 6;

    /// <summary>Columns of the single-precision tile.</summary>
    public const int SNr = 16;

    /// <summary>Rows of the double-precision tile.</summary>
    public const int DMr = 6;

    /// <summary>Columns of the double-precision tile.</summary>
    public const int DNr = 8;

    /// <summary>C[6x16] = alpha·(A·B) + beta·C over packed panels: A is kc×6 (6 per step), B is kc×16 (16 per step, 32-byte aligned).</summary>
    /// <remarks>When beta is 0, C is not read. Each element sums its kc products in order, one fused multiply-add per step.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm6x16(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b + 0);
            var b1 = Avx.LoadAlignedVector256(b + 8);
            var a0 = Avx.BroadcastScalarToVector256(a + 0);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Avx.Store(c + 0, Avx.Multiply(c00, va));
            Avx.Store(c + 8, Avx.Multiply(c01, va));
            Avx.Store(c + 1 * ldc + 0, Avx.Multiply(c10, va));
            Avx.Store(c + 1 * ldc + 8, Avx.Multiply(c11, va));
            Avx.Store(c + 2 * ldc + 0, Avx.Multiply(c20, va));
            Avx.Store(c + 2 * ldc + 8, Avx.Multiply(c21, va));
            Avx.Store(c + 3 * ldc + 0, Avx.Multiply(c30, va));
            Avx.Store(c + 3 * ldc + 8, Avx.Multiply(c31, va));
            Avx.Store(c + 4 * ldc + 0, Avx.Multiply(c40, va));
            Avx.Store(c + 4 * ldc + 8, Avx.Multiply(c41, va));
            Avx.Store(c + 5 * ldc + 0, Avx.Multiply(c50, va));
            Avx.Store(c + 5 * ldc + 8, Avx.Multiply(c51, va));
        }
        else
        {
            var vb = Vector256.Create(beta);
            Avx.Store(c + 0, Fma.MultiplyAdd(c00, va, Avx.Multiply(Avx.LoadVector256(c + 0), vb)));
            Avx.Store(c + 8, Fma.MultiplyAdd(c01, va, Avx.Multiply(Avx.LoadVector256(c + 8), vb)));
            Avx.Store(c + 1 * ldc + 0, Fma.MultiplyAdd(c10, va, Avx.Multiply(Avx.LoadVector256(c + 1 * ldc + 0), vb)));
            Avx.Store(c + 1 * ldc + 8, Fma.MultiplyAdd(c11, va, Avx.Multiply(Avx.LoadVector256(c + 1 * ldc + 8), vb)));
            Avx.Store(c + 2 * ldc + 0, Fma.MultiplyAdd(c20, va, Avx.Multiply(Avx.LoadVector256(c + 2 * ldc + 0), vb)));
            Avx.Store(c + 2 * ldc + 8, Fma.MultiplyAdd(c21, va, Avx.Multiply(Avx.LoadVector256(c + 2 * ldc + 8), vb)));
            Avx.Store(c + 3 * ldc + 0, Fma.MultiplyAdd(c30, va, Avx.Multiply(Avx.LoadVector256(c + 3 * ldc + 0), vb)));
            Avx.Store(c + 3 * ldc + 8, Fma.MultiplyAdd(c31, va, Avx.Multiply(Avx.LoadVector256(c + 3 * ldc + 8), vb)));
            Avx.Store(c + 4 * ldc + 0, Fma.MultiplyAdd(c40, va, Avx.Multiply(Avx.LoadVector256(c + 4 * ldc + 0), vb)));
            Avx.Store(c + 4 * ldc + 8, Fma.MultiplyAdd(c41, va, Avx.Multiply(Avx.LoadVector256(c + 4 * ldc + 8), vb)));
            Avx.Store(c + 5 * ldc + 0, Fma.MultiplyAdd(c50, va, Avx.Multiply(Avx.LoadVector256(c + 5 * ldc + 0), vb)));
            Avx.Store(c + 5 * ldc + 8, Fma.MultiplyAdd(c51, va, Avx.Multiply(Avx.LoadVector256(c + 5 * ldc + 8), vb)));
        }
    }

    /// <summary>C[6x8] = alpha·(A·B) + beta·C over packed panels: A is kc×6 (6 per step), B is kc×8 (8 per step, 32-byte aligned).</summary>
    /// <remarks>When beta is 0, C is not read. Each element sums its kc products in order, one fused multiply-add per step.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dgemm6x8(int kc, double* a, double* b, double* c, nint ldc, double alpha, double beta)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b + 0);
            var b1 = Avx.LoadAlignedVector256(b + 4);
            var a0 = Avx.BroadcastScalarToVector256(a + 0);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 8;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Avx.Store(c + 0, Avx.Multiply(c00, va));
            Avx.Store(c + 4, Avx.Multiply(c01, va));
            Avx.Store(c + 1 * ldc + 0, Avx.Multiply(c10, va));
            Avx.Store(c + 1 * ldc + 4, Avx.Multiply(c11, va));
            Avx.Store(c + 2 * ldc + 0, Avx.Multiply(c20, va));
            Avx.Store(c + 2 * ldc + 4, Avx.Multiply(c21, va));
            Avx.Store(c + 3 * ldc + 0, Avx.Multiply(c30, va));
            Avx.Store(c + 3 * ldc + 4, Avx.Multiply(c31, va));
            Avx.Store(c + 4 * ldc + 0, Avx.Multiply(c40, va));
            Avx.Store(c + 4 * ldc + 4, Avx.Multiply(c41, va));
            Avx.Store(c + 5 * ldc + 0, Avx.Multiply(c50, va));
            Avx.Store(c + 5 * ldc + 4, Avx.Multiply(c51, va));
        }
        else
        {
            var vb = Vector256.Create(beta);
            Avx.Store(c + 0, Fma.MultiplyAdd(c00, va, Avx.Multiply(Avx.LoadVector256(c + 0), vb)));
            Avx.Store(c + 4, Fma.MultiplyAdd(c01, va, Avx.Multiply(Avx.LoadVector256(c + 4), vb)));
            Avx.Store(c + 1 * ldc + 0, Fma.MultiplyAdd(c10, va, Avx.Multiply(Avx.LoadVector256(c + 1 * ldc + 0), vb)));
            Avx.Store(c + 1 * ldc + 4, Fma.MultiplyAdd(c11, va, Avx.Multiply(Avx.LoadVector256(c + 1 * ldc + 4), vb)));
            Avx.Store(c + 2 * ldc + 0, Fma.MultiplyAdd(c20, va, Avx.Multiply(Avx.LoadVector256(c + 2 * ldc + 0), vb)));
            Avx.Store(c + 2 * ldc + 4, Fma.MultiplyAdd(c21, va, Avx.Multiply(Avx.LoadVector256(c + 2 * ldc + 4), vb)));
            Avx.Store(c + 3 * ldc + 0, Fma.MultiplyAdd(c30, va, Avx.Multiply(Avx.LoadVector256(c + 3 * ldc + 0), vb)));
            Avx.Store(c + 3 * ldc + 4, Fma.MultiplyAdd(c31, va, Avx.Multiply(Avx.LoadVector256(c + 3 * ldc + 4), vb)));
            Avx.Store(c + 4 * ldc + 0, Fma.MultiplyAdd(c40, va, Avx.Multiply(Avx.LoadVector256(c + 4 * ldc + 0), vb)));
            Avx.Store(c + 4 * ldc + 4, Fma.MultiplyAdd(c41, va, Avx.Multiply(Avx.LoadVector256(c + 4 * ldc + 4), vb)));
            Avx.Store(c + 5 * ldc + 0, Fma.MultiplyAdd(c50, va, Avx.Multiply(Avx.LoadVector256(c + 5 * ldc + 0), vb)));
            Avx.Store(c + 5 * ldc + 4, Fma.MultiplyAdd(c51, va, Avx.Multiply(Avx.LoadVector256(c + 5 * ldc + 4), vb)));
        }
    }
}
