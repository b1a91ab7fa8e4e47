using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// General matrix multiplication over row-major spans:
/// C[m,n] = alpha · Σ_k op(A)[m,k] · op(B)[k,n] + beta · C[m,n], where op(X) is X or Xᵀ.
/// </summary>
/// <remarks>
/// Row-major storage with leading dimensions: A is stored as [m,k] (lda ≥ k) or, when <c>transA</c>, as [k,m] (lda ≥ m);
/// B as [k,n] (ldb ≥ n) or, when <c>transB</c>, as [n,k] (ldb ≥ k); C as [m,n] (ldc ≥ n).
/// When beta is 0, C is overwritten (NaN in C does not propagate).
/// </remarks>
public static class Gemm
{
    // Below this many flops (2·m·n·k) a product runs on the calling thread alone: a team costs a few microseconds to
    // start and to gather, as much as the product itself takes on one core (about 10 µs at 100 GFLOP/s).
    internal const long ParallelFlops = 1L << 20;

    /// <summary>Tests set this to run the portable Vector128 path on machines that have AVX2/FMA.</summary>
    internal static bool ForceFallback { get; set; }

    /// <summary>Tests set this to run the AVX2 path on machines that have AVX-512.</summary>
    internal static bool DisableAvx512 { get; set; }

    /// <summary>True when the AVX2/FMA micro-kernels are in use.</summary>
    internal static bool UsesAvx2 => !ForceFallback && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>True when the single-precision AVX-512 micro-kernel is in use.</summary>
    internal static bool UsesAvx512 => UsesAvx2 && !DisableAvx512 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Single-precision GEMM (see the class remarks for the layout).</summary>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a, pb = b, pc = c)
            Run(SingleBlocking(), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Double-precision GEMM (see the class remarks for the layout).</summary>
    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (double* pa = a, pb = b, pc = c)
            Run(DoubleBlocking(), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Generic entry point for float or double; dispatches to <see cref="Sgemm"/> or <see cref="Dgemm"/>.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha),
                MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, float.CreateTruncating(beta),
                MemoryMarshal.Cast<T, float>(c), ldc);
        else if (typeof(T) == typeof(double))
            Dgemm(transA, transB, m, n, k, double.CreateTruncating(alpha),
                MemoryMarshal.Cast<T, double>(a), lda, MemoryMarshal.Cast<T, double>(b), ldb, double.CreateTruncating(beta),
                MemoryMarshal.Cast<T, double>(c), ldc);
        else throw new NotSupportedException($"Gemm: element type {typeof(T).Name} is not supported (float or double).");
    }

    /// <summary>
    /// C = alpha·op(A)·B + beta·C with B packed beforehand (<see cref="GemmPackedB{T}.Pack"/>): the results of
    /// <see cref="Multiply{T}"/> on its packed path, without packing B again.
    /// </summary>
    internal static unsafe void MultiplyPacked<T>(bool transA, int m, T alpha, ReadOnlySpan<T> a, int lda, GemmPackedB<T> b,
        T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (b.Data is null) throw new InvalidOperationException("Gemm: the packed B operand has not been packed.");
        int n = b.N, k = b.K;
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "Gemm: m must be non-negative.");
        CheckOperand("a", "lda", a.Length, lda, transA ? k : m, transA ? m : k);
        CheckOperand("c", "ldc", c.Length, ldc, m, n);
        if (m == 0 || n == 0) return;
        fixed (T* pa = a, pc = c)
        {
            if (k == 0 || alpha == T.Zero)
            {
                ScaleC(m, n, beta, pc, ldc);
                return;
            }
            long work = (long)m * n * k;
            int threads = 2 * work >= ParallelFlops ? Parallelism.MaxThreads : 1;
            PackedGemm<T>.Run(b.Blocking, threads, transA, false, m, n, k, alpha, pa, lda, null, 0, b.Data, beta, pc, ldc);
        }
    }

    /// <summary>The blocking of the packed path for T (float or double) on this machine.</summary>
    internal static GemmBlocking<T> BlockingFor<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) { var f = SingleBlocking(); return Unsafe.As<GemmBlocking<float>, GemmBlocking<T>>(ref f); }
        if (typeof(T) == typeof(double)) { var d = DoubleBlocking(); return Unsafe.As<GemmBlocking<double>, GemmBlocking<T>>(ref d); }
        throw new NotSupportedException($"Gemm: element type {typeof(T).Name} is not supported (float or double).");
    }

    /// <summary>Checks a B operand of k × n (stored [n, k] when <paramref name="transB"/>).</summary>
    internal static void ValidateB(bool transB, int n, int k, int bLength, int ldb)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Gemm: n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "Gemm: k must be non-negative.");
        CheckOperand("b", "ldb", bLength, ldb, transB ? n : k, transB ? k : n);
    }

    private static unsafe void Run<T>(in GemmBlocking<T> blocking, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        long work = (long)m * n * k;
        if (m == 1 || work <= 4096)
        {
            GemmSmall.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        int threads = 2 * work >= ParallelFlops ? Parallelism.MaxThreads : 1;
        PackedGemm<T>.Run(blocking, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    // C = beta·C, or zeros when beta is 0 (so NaN in C does not survive).
    private static unsafe void ScaleC<T>(int m, int n, T beta, T* c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (nint)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else if (beta != T.One)
                for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    // Blocking measured on the 2-core benchmark machine (see bench/gemm.sh): the A micro-panel and the 384-deep B
    // micro-panel (24 KiB for 16 columns, 48 KiB for 32) stay in L1, a 96 × 384 A block (144 KiB) in L2, a 384 × ~4K
    // B block in L3. AVX-512 (8 × 32 tile, 16 zmm accumulators) where present, else AVX2/FMA (6 × 16, 12 ymm), else Vector128.
    private static unsafe GemmBlocking<float> SingleBlocking() => UsesAvx512
        ? new GemmBlocking<float>(GemmKernelsAvx512.SMr, GemmKernelsAvx512.SNr, mc: 96, kc: 384, nc: 4064, &GemmKernelsAvx512.Sgemm8x32, GemmPacker.Avx)
        : UsesAvx2
        ? new GemmBlocking<float>(GemmKernelsAvx2.SMr, GemmKernelsAvx2.SNr, mc: 96, kc: 384, nc: 4080, &GemmKernelsAvx2.Sgemm6x16, GemmPacker.Avx)
        : new GemmBlocking<float>(GemmKernelsVector128.SMr, GemmKernelsVector128.SNr, mc: 128, kc: 256, nc: 4096, &GemmKernelsVector128.Sgemm4x8, GemmPacker.Vector128);

    private static unsafe GemmBlocking<double> DoubleBlocking() => UsesAvx2
        ? new GemmBlocking<double>(GemmKernelsAvx2.DMr, GemmKernelsAvx2.DNr, mc: 72, kc: 256, nc: 2040, &GemmKernelsAvx2.Dgemm6x8, GemmPacker.Generic)
        : new GemmBlocking<double>(GemmKernelsVector128.DMr, GemmKernelsVector128.DNr, mc: 64, kc: 256, nc: 2048, &GemmKernelsVector128.Dgemm4x4, GemmPacker.Generic);

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "Gemm: m must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Gemm: n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "Gemm: k must be non-negative.");
        CheckOperand("a", "lda", aLength, lda, transA ? k : m, transA ? m : k);
        CheckOperand("b", "ldb", bLength, ldb, transB ? n : k, transB ? k : n);
        CheckOperand("c", "ldc", cLength, ldc, m, n);
    }

    private static void CheckOperand(string name, string ldName, int length, int ld, int rows, int cols)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(ldName, ld, $"Gemm: {ldName} must be at least {Math.Max(1, cols)} (the stored row width of {name}).");
        if (rows == 0 || cols == 0) return;
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"Gemm: {name} holds {length} elements but a stored [{rows},{cols}] matrix with leading dimension {ld} needs {needed}.", name);
    }
}
