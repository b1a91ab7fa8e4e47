using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>Register-tiled AVX-512 micro-kernels of the packed GEMM (x64 with AVX-512F only).</summary>
internal static unsafe class GemmKernelsAvx512
{
    /// <summary>Rows of the single-precision tile.</summary>
    public const int SMr = 8;

    /// <summary>Columns of the single-precision tile.</summary>
    public const int SNr = 32;

    /// <summary>C[8x32] = alpha·(A·B) + beta·C over packed panels: A is kc×8 (8 per step), B is kc×32 (32 per step, 64-byte aligned).</summary>
    /// <remarks>When beta is 0, C is not read. Each element sums its kc products in order, one fused multiply-add per step.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm8x32(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx512F.LoadAlignedVector512(b + 0);
            var b1 = Avx512F.LoadAlignedVector512(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Avx512F.Store(c + 0, Avx512F.Multiply(c00, va));
            Avx512F.Store(c + 16, Avx512F.Multiply(c01, va));
            Avx512F.Store(c + 1 * ldc + 0, Avx512F.Multiply(c10, va));
            Avx512F.Store(c + 1 * ldc + 16, Avx512F.Multiply(c11, va));
            Avx512F.Store(c + 2 * ldc + 0, Avx512F.Multiply(c20, va));
            Avx512F.Store(c + 2 * ldc + 16, Avx512F.Multiply(c21, va));
            Avx512F.Store(c + 3 * ldc + 0, Avx512F.Multiply(c30, va));
            Avx512F.Store(c + 3 * ldc + 16, Avx512F.Multiply(c31, va));
            Avx512F.Store(c + 4 * ldc + 0, Avx512F.Multiply(c40, va));
            Avx512F.Store(c + 4 * ldc + 16, Avx512F.Multiply(c41, va));
            Avx512F.Store(c + 5 * ldc + 0, Avx512F.Multiply(c50, va));
            Avx512F.Store(c + 5 * ldc + 16, Avx512F.Multiply(c51, va));
            Avx512F.Store(c + 6 * ldc + 0, Avx512F.Multiply(c60, va));
            Avx512F.Store(c + 6 * ldc + 16, Avx512F.Multiply(c61, va));
            Avx512F.Store(c + 7 * ldc + 0, Avx512F.Multiply(c70, va));
            Avx512F.Store(c + 7 * ldc + 16, Avx512F.Multiply(c71, va));
        }
        else
        {
            var vb = Vector512.Create(beta);
            Avx512F.Store(c + 0, Avx512F.FusedMultiplyAdd(c00, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 0), vb)));
            Avx512F.Store(c + 16, Avx512F.FusedMultiplyAdd(c01, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 16), vb)));
            Avx512F.Store(c + 1 * ldc + 0, Avx512F.FusedMultiplyAdd(c10, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 1 * ldc + 0), vb)));
            Avx512F.Store(c + 1 * ldc + 16, Avx512F.FusedMultiplyAdd(c11, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 1 * ldc + 16), vb)));
            Avx512F.Store(c + 2 * ldc + 0, Avx512F.FusedMultiplyAdd(c20, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 2 * ldc + 0), vb)));
            Avx512F.Store(c + 2 * ldc + 16, Avx512F.FusedMultiplyAdd(c21, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 2 * ldc + 16), vb)));
            Avx512F.Store(c + 3 * ldc + 0, Avx512F.FusedMultiplyAdd(c30, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 3 * ldc + 0), vb)));
            Avx512F.Store(c + 3 * ldc + 16, Avx512F.FusedMultiplyAdd(c31, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 3 * ldc + 16), vb)));
            Avx512F.Store(c + 4 * ldc + 0, Avx512F.FusedMultiplyAdd(c40, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 4 * ldc + 0), vb)));
            Avx512F.Store(c + 4 * ldc + 16, Avx512F.FusedMultiplyAdd(c41, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 4 * ldc + 16), vb)));
            Avx512F.Store(c + 5 * ldc + 0, Avx512F.FusedMultiplyAdd(c50, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 5 * ldc + 0), vb)));
            Avx512F.Store(c + 5 * ldc + 16, Avx512F.FusedMultiplyAdd(c51, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 5 * ldc + 16), vb)));
            Avx512F.Store(c + 6 * ldc + 0, Avx512F.FusedMultiplyAdd(c60, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 6 * ldc + 0), vb)));
            Avx512F.Store(c + 6 * ldc + 16, Avx512F.FusedMultiplyAdd(c61, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 6 * ldc + 16), vb)));
            Avx512F.Store(c + 7 * ldc + 0, Avx512F.FusedMultiplyAdd(c70, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 7 * ldc + 0), vb)));
            Avx512F.Store(c + 7 * ldc + 16, Avx512F.FusedMultiplyAdd(c71, va, Avx512F.Multiply(Avx512F.LoadVector512(c + 7 * ldc + 16), vb)));
        }
    }
}
