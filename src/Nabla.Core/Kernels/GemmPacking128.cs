using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Portable Vector128 packing of single-precision operands for the 4×8 micro-kernel of the 128-bit path (mr = 4,
/// nr = 8), on x86 and ARM64 alike. Full panels use 4×4 register transposes (strided cases) or straight vector
/// copies (contiguous cases); partial panels fall back to <see cref="GemmPacking"/>.
/// </summary>
/// <remarks>
/// Only cross-platform <see cref="Vector128"/> operations, no Vector64 (not accelerated on x86): constant-index
/// single-input shuffles (one pshufd/vpermilps on x86, rev64/ext/tbl on ARM64) and constant-mask selects (BSL on
/// ARM64; and/andnot/or on x86, where .NET 10 does not turn them into blends). Writing the second transpose step
/// with 64-bit halves (Vector128.Create of two doubles: unpcklpd/unpckhpd) instead measured slower on Zen 3 (64×9216×128
/// A·Bᵀ: 23.0-23.6 against 25.0-25.7 GFLOP/s). Writes nothing past the packed block; the output is bit-identical to
/// <see cref="GemmPacking"/>'s.
/// </remarks>
internal static unsafe class GemmPacking128
{
    /// <summary>Rows of the A panels this packer writes (those of <see cref="GemmKernelsVector128.Sgemm4x8"/>).</summary>
    public const int Mr = GemmKernelsVector128.SMr;

    /// <summary>Columns of the B panels this packer writes.</summary>
    public const int Nr = GemmKernelsVector128.SNr;

    /// <summary>Same contract as <see cref="GemmPacking.PackA{T}"/>, for mr = 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool trans, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
    {
        int full = mc / Mr * Mr;
        for (int ip = 0; ip < full; ip += Mr)
        {
            if (!trans) PackARows4(a + (i0 + ip) * lda + p0, lda, kc, dst);
            else PackACols4(a + (nint)p0 * lda + i0 + ip, lda, kc, dst);
            dst += (nint)kc * Mr;
        }
        if (full < mc) GemmPacking.PackA(trans, a, lda, i0 + full, mc - full, p0, kc, Mr, dst);
    }

    /// <summary>Same contract as <see cref="GemmPacking.PackB{T}"/>, for nr = 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool trans, float* b, nint ldb, int p0, int kc, int j0, int nc, nint panelStride, float* dst)
    {
        int full = nc / Nr * Nr;
        if (!trans)
        {
            // Eight rows of B at a time across all panels: eight sequential read streams instead of one
            // 32-byte read per row (a new page every row when ldb is large).
            float* src = b + (nint)p0 * ldb + j0;
            for (int p = 0; p < kc; p += 8)
            {
                int rows = Math.Min(8, kc - p);
                for (int jp = 0; jp < full; jp += Nr)
                    PackBRows8(src + p * ldb + jp, ldb, rows, dst + jp / Nr * panelStride + p * Nr);
            }
            dst += full / Nr * panelStride;
        }
        else
        {
            for (int jp = 0; jp < full; jp += Nr)
            {
                PackBCols8(b + (j0 + jp) * ldb + p0, ldb, kc, dst);
                dst += panelStride;
            }
        }
        if (full < nc) GemmPacking.PackB(trans, b, ldb, p0, kc, j0 + full, nc - full, Nr, panelStride, dst);
    }

    // 4 rows of A, each contiguous over p: one 4×4 transpose per 4 steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackARows4(float* src, nint lda, int kc, float* dst)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            float* s = src + p;
            var v0 = Vector128.Load(s);
            var v1 = Vector128.Load(s + lda);
            var v2 = Vector128.Load(s + 2 * lda);
            var v3 = Vector128.Load(s + 3 * lda);
            Transpose4x4(ref v0, ref v1, ref v2, ref v3);
            float* d = dst + p * Mr;
            v0.Store(d);
            v1.Store(d + 4);
            v2.Store(d + 8);
            v3.Store(d + 12);
        }
        for (; p < kc; p++)
            for (int r = 0; r < Mr; r++) dst[p * Mr + r] = src[r * lda + p];
    }

    // A stored transposed: each step p holds the 4 values contiguously.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackACols4(float* src, nint lda, int kc, float* dst)
    {
        for (int p = 0; p < kc; p++) Vector128.Load(src + p * lda).Store(dst + p * Mr);
    }

    // B row-major: each step p holds the 8 values contiguously (rows steps, into one panel).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBRows8(float* src, nint ldb, int rows, float* dst)
    {
        for (int p = 0; p < rows; p++)
        {
            float* s = src + p * ldb;
            float* d = dst + p * Nr;
            Vector128.Load(s).Store(d);
            Vector128.Load(s + 4).Store(d + 4);
        }
    }

    // B stored transposed: 8 rows (output columns), each contiguous over p; two 4×4 transposes per 4 steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBCols8(float* src, nint ldb, int kc, float* dst)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            float* s = src + p;
            var v0 = Vector128.Load(s);
            var v1 = Vector128.Load(s + ldb);
            var v2 = Vector128.Load(s + 2 * ldb);
            var v3 = Vector128.Load(s + 3 * ldb);
            var v4 = Vector128.Load(s + 4 * ldb);
            var v5 = Vector128.Load(s + 5 * ldb);
            var v6 = Vector128.Load(s + 6 * ldb);
            var v7 = Vector128.Load(s + 7 * ldb);
            Transpose4x4(ref v0, ref v1, ref v2, ref v3);
            Transpose4x4(ref v4, ref v5, ref v6, ref v7);
            float* d = dst + p * Nr;
            v0.Store(d);
            v4.Store(d + 4);
            v1.Store(d + 8);
            v5.Store(d + 12);
            v2.Store(d + 16);
            v6.Store(d + 20);
            v3.Store(d + 24);
            v7.Store(d + 28);
        }
        for (; p < kc; p++)
            for (int c = 0; c < Nr; c++) dst[p * Nr + c] = src[c * ldb + p];
    }

    /// <summary>In place: r_i[j] becomes the old r_j[i] (also the 4 × 4 blocks of <see cref="ConvWinograd128"/>).</summary>
    // Pairs of lanes are swapped between rows 0/1 and 2/3, then halves
    // between rows 0/2 and 1/3, each by a lane swap of one row and a select with the other. (A helper that also loads
    // the rows, returning them through out parameters, measured about 7% slower at 64×9216×128 A·Bᵀ.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose4x4(ref Vector128<float> r0, ref Vector128<float> r1, ref Vector128<float> r2, ref Vector128<float> r3)
    {
        var even = Vector128.Create(-1, 0, -1, 0).AsSingle();
        var low = Vector128.Create(-1, -1, 0, 0).AsSingle();
        var swapPairs = Vector128.Create(1, 0, 3, 2);
        var swapHalves = Vector128.Create(2, 3, 0, 1);
        // a0 = [r0_0 r1_0 r0_2 r1_2], a1 = [r0_1 r1_1 r0_3 r1_3]; a2, a3 likewise from r2, r3.
        var a0 = Vector128.ConditionalSelect(even, r0, Vector128.Shuffle(r1, swapPairs));
        var a1 = Vector128.ConditionalSelect(even, Vector128.Shuffle(r0, swapPairs), r1);
        var a2 = Vector128.ConditionalSelect(even, r2, Vector128.Shuffle(r3, swapPairs));
        var a3 = Vector128.ConditionalSelect(even, Vector128.Shuffle(r2, swapPairs), r3);
        r0 = Vector128.ConditionalSelect(low, a0, Vector128.Shuffle(a2, swapHalves));
        r2 = Vector128.ConditionalSelect(low, Vector128.Shuffle(a0, swapHalves), a2);
        r1 = Vector128.ConditionalSelect(low, a1, Vector128.Shuffle(a3, swapHalves));
        r3 = Vector128.ConditionalSelect(low, Vector128.Shuffle(a1, swapHalves), a3);
    }
}
