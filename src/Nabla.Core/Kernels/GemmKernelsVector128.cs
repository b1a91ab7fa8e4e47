using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Portable Vector128 micro-kernels of the packed GEMM, for machines without AVX2/FMA (ARM64 included).
/// Multiply-adds are fused where the hardware has it (MultiplyAddEstimate).
/// </summary>
internal static unsafe class GemmKernelsVector128
{
    /// <summary>Rows of the single-precision tile.</summary>
    public const int SMr = 4;

    /// <summary>Columns of the single-precision tile.</summary>
    public const int SNr = 8;

    /// <summary>Rows of the double-precision tile.</summary>
    public const int DMr = 4;

    /// <summary>Columns of the double-precision tile.</summary>
    public const int DNr = 4;

    /// <summary>C[4x8] = alpha·(A·B) + beta·C over packed panels (A kc×4, B kc×8).</summary>
    /// <remarks>
    /// When beta is 0, C is not read. Each element sums its kc products in order. Always fully optimized: unoptimized
    /// (tier-0) code may not fuse MultiplyAddEstimate, and results must not change when the method is recompiled.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm4x8(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            a += 4;
            b += 8;
        }
        var va = Vector128.Create(alpha);
        if (beta == 0)
        {
            (c00 * va).Store(c + 0);
            (c01 * va).Store(c + 4);
            (c10 * va).Store(c + 1 * ldc + 0);
            (c11 * va).Store(c + 1 * ldc + 4);
            (c20 * va).Store(c + 2 * ldc + 0);
            (c21 * va).Store(c + 2 * ldc + 4);
            (c30 * va).Store(c + 3 * ldc + 0);
            (c31 * va).Store(c + 3 * ldc + 4);
        }
        else
        {
            var vb = Vector128.Create(beta);
            Vector128.MultiplyAddEstimate(c00, va, Vector128.Load(c + 0) * vb).Store(c + 0);
            Vector128.MultiplyAddEstimate(c01, va, Vector128.Load(c + 4) * vb).Store(c + 4);
            Vector128.MultiplyAddEstimate(c10, va, Vector128.Load(c + 1 * ldc + 0) * vb).Store(c + 1 * ldc + 0);
            Vector128.MultiplyAddEstimate(c11, va, Vector128.Load(c + 1 * ldc + 4) * vb).Store(c + 1 * ldc + 4);
            Vector128.MultiplyAddEstimate(c20, va, Vector128.Load(c + 2 * ldc + 0) * vb).Store(c + 2 * ldc + 0);
            Vector128.MultiplyAddEstimate(c21, va, Vector128.Load(c + 2 * ldc + 4) * vb).Store(c + 2 * ldc + 4);
            Vector128.MultiplyAddEstimate(c30, va, Vector128.Load(c + 3 * ldc + 0) * vb).Store(c + 3 * ldc + 0);
            Vector128.MultiplyAddEstimate(c31, va, Vector128.Load(c + 3 * ldc + 4) * vb).Store(c + 3 * ldc + 4);
        }
    }

    /// <summary>C[4x4] = alpha·(A·B) + beta·C over packed panels (A kc×4, B kc×4).</summary>
    /// <remarks>
    /// When beta is 0, C is not read. Each element sums its kc products in order. Always fully optimized: unoptimized
    /// (tier-0) code may not fuse MultiplyAddEstimate, and results must not change when the method is recompiled.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dgemm4x4(int kc, double* a, double* b, double* c, nint ldc, double alpha, double beta)
    {
        Vector128<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 2);
            var a0 = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            a += 4;
            b += 4;
        }
        var va = Vector128.Create(alpha);
        if (beta == 0)
        {
            (c00 * va).Store(c + 0);
            (c01 * va).Store(c + 2);
            (c10 * va).Store(c + 1 * ldc + 0);
            (c11 * va).Store(c + 1 * ldc + 2);
            (c20 * va).Store(c + 2 * ldc + 0);
            (c21 * va).Store(c + 2 * ldc + 2);
            (c30 * va).Store(c + 3 * ldc + 0);
            (c31 * va).Store(c + 3 * ldc + 2);
        }
        else
        {
            var vb = Vector128.Create(beta);
            Vector128.MultiplyAddEstimate(c00, va, Vector128.Load(c + 0) * vb).Store(c + 0);
            Vector128.MultiplyAddEstimate(c01, va, Vector128.Load(c + 2) * vb).Store(c + 2);
            Vector128.MultiplyAddEstimate(c10, va, Vector128.Load(c + 1 * ldc + 0) * vb).Store(c + 1 * ldc + 0);
            Vector128.MultiplyAddEstimate(c11, va, Vector128.Load(c + 1 * ldc + 2) * vb).Store(c + 1 * ldc + 2);
            Vector128.MultiplyAddEstimate(c20, va, Vector128.Load(c + 2 * ldc + 0) * vb).Store(c + 2 * ldc + 0);
            Vector128.MultiplyAddEstimate(c21, va, Vector128.Load(c + 2 * ldc + 2) * vb).Store(c + 2 * ldc + 2);
            Vector128.MultiplyAddEstimate(c30, va, Vector128.Load(c + 3 * ldc + 0) * vb).Store(c + 3 * ldc + 0);
            Vector128.MultiplyAddEstimate(c31, va, Vector128.Load(c + 3 * ldc + 2) * vb).Store(c + 3 * ldc + 2);
        }
    }
}
