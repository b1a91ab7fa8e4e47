using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// AVX packing of single-precision operands for the 6×16 and 8×32 micro-kernels (mr 6 or 8, nr 16 or 32).
/// Full panels use 8×8 register transposes
/// (strided cases) or straight vector copies (contiguous cases); partial panels fall back to <see cref="GemmPacking"/>.
/// </summary>
/// <remarks>The A packer may write up to 8 floats past the end of the packed block: destinations need that slack.</remarks>
internal static unsafe class GemmPackingAvx2
{
    /// <summary>Same contract as <see cref="GemmPacking.PackA{T}"/>, for mr = 6 or 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool trans, float* a, nint lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        int full = mc / mr * mr;
        if (trans)
        {
            // Each step's values of all full panels in one sequential read of the row, rather than one panel at a
            // time down the column: with a leading dimension of a power of two, a panel's rows alias in L1.
            if (mr == 8) PackACols8(a + (nint)p0 * lda + i0, lda, kc, full / 8, dst);
            else PackACols6(a + (nint)p0 * lda + i0, lda, kc, full / 6, dst);
            dst += (nint)kc * full;
        }
        else
        {
            for (int ip = 0; ip < full; ip += mr)
            {
                float* src = a + (i0 + ip) * lda + p0;
                if (mr == 8) PackARows8(src, lda, kc, dst);
                else PackARows6(src, lda, kc, dst);
                dst += (nint)kc * mr;
            }
        }
        if (full < mc) GemmPacking.PackA(trans, a, lda, i0 + full, mc - full, p0, kc, mr, dst);
    }

    /// <summary>Same contract as <see cref="GemmPacking.PackB{T}"/>, for nr = 16 or 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool trans, float* b, nint ldb, int p0, int kc, int j0, int nc, int nr, nint panelStride, float* dst)
    {
        int full = nc / nr * nr;
        if (!trans)
        {
            // Eight rows of B at a time across all panels: eight sequential read streams instead of one
            // 64-byte read per row (a new page every row when ldb is large).
            float* src = b + (nint)p0 * ldb + j0;
            for (int p = 0; p < kc; p += 8)
            {
                int rows = Math.Min(8, kc - p);
                for (int jp = 0; jp < full; jp += nr)
                    PackBRows(src + p * ldb + jp, ldb, rows, nr, dst + jp / nr * panelStride + p * nr);
            }
            dst += full / nr * panelStride;
        }
        else
        {
            for (int jp = 0; jp < full; jp += nr)
            {
                PackBCols(b + (j0 + jp) * ldb + p0, ldb, kc, nr, dst);
                dst += panelStride;
            }
        }
        if (full < nc) GemmPacking.PackB(trans, b, ldb, p0, kc, j0 + full, nc - full, nr, panelStride, dst);
    }

    // 6 rows of A, each contiguous over p: transpose 8 steps at a time (rows 6 and 7 are zero).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackARows6(float* src, nint lda, int kc, float* dst)
    {
        const int Mr = 6;
        float* r0 = src, r1 = src + lda, r2 = src + 2 * lda, r3 = src + 3 * lda, r4 = src + 4 * lda, r5 = src + 5 * lda;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            var v0 = Avx.LoadVector256(r0 + p);
            var v1 = Avx.LoadVector256(r1 + p);
            var v2 = Avx.LoadVector256(r2 + p);
            var v3 = Avx.LoadVector256(r3 + p);
            var v4 = Avx.LoadVector256(r4 + p);
            var v5 = Avx.LoadVector256(r5 + p);
            var v6 = Vector256<float>.Zero;
            var v7 = Vector256<float>.Zero;
            Transpose8x8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
            float* d = dst + p * Mr;
            // Overlapping 8-wide stores of 6 useful values each; the next store overwrites the 2 spare lanes.
            Avx.Store(d, v0);
            Avx.Store(d + 6, v1);
            Avx.Store(d + 12, v2);
            Avx.Store(d + 18, v3);
            Avx.Store(d + 24, v4);
            Avx.Store(d + 30, v5);
            Avx.Store(d + 36, v6);
            Avx.Store(d + 42, v7);
        }
        for (; p < kc; p++)
        {
            float* d = dst + p * Mr;
            d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]; d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p];
        }
    }

    // A stored transposed: step p of panel j is the 6 values at src[p·lda + 6j ..]; panels are kc·6 apart.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackACols6(float* src, nint lda, int kc, int panels, float* dst)
    {
        const int Mr = 6;
        nint panelStride = (nint)kc * Mr;
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * lda;
            float* d = dst + p * Mr;
            for (int j = 0; j < panels; j++, s += Mr, d += panelStride)
            {
                Sse.Store(d, Sse.LoadVector128(s));
                *(long*)(d + 4) = *(long*)(s + 4);
            }
        }
    }

    // 8 rows of A, each contiguous over p: one 8×8 transpose per 8 steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackARows8(float* src, nint lda, int kc, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = src + p;
            var v0 = Avx.LoadVector256(s);
            var v1 = Avx.LoadVector256(s + lda);
            var v2 = Avx.LoadVector256(s + 2 * lda);
            var v3 = Avx.LoadVector256(s + 3 * lda);
            var v4 = Avx.LoadVector256(s + 4 * lda);
            var v5 = Avx.LoadVector256(s + 5 * lda);
            var v6 = Avx.LoadVector256(s + 6 * lda);
            var v7 = Avx.LoadVector256(s + 7 * lda);
            Transpose8x8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
            float* d = dst + p * 8;
            Avx.Store(d, v0);
            Avx.Store(d + 8, v1);
            Avx.Store(d + 16, v2);
            Avx.Store(d + 24, v3);
            Avx.Store(d + 32, v4);
            Avx.Store(d + 40, v5);
            Avx.Store(d + 48, v6);
            Avx.Store(d + 56, v7);
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) dst[p * 8 + r] = src[r * lda + p];
    }

    // A stored transposed: step p of panel j is the 8 values at src[p·lda + 8j ..]; panels are kc·8 apart.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackACols8(float* src, nint lda, int kc, int panels, float* dst)
    {
        nint panelStride = (nint)kc * 8;
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * lda;
            float* d = dst + p * 8;
            for (int j = 0; j < panels; j++, s += 8, d += panelStride) Avx.Store(d, Avx.LoadVector256(s));
        }
    }

    // B row-major: each step p holds the nr values contiguously (rows steps, into one panel).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBRows(float* src, nint ldb, int rows, int nr, float* dst)
    {
        for (int p = 0; p < rows; p++)
        {
            float* s = src + p * ldb;
            float* d = dst + p * nr;
            for (int v = 0; v < nr; v += 8) Avx.Store(d + v, Avx.LoadVector256(s + v));
        }
    }

    // B stored transposed: nr rows (output columns), each contiguous over p; nr/8 8×8 transposes per 8 steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBCols(float* src, nint ldb, int kc, int nr, float* dst)
    {
        int Nr = nr;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            for (int half = 0; half < nr / 8; half++)
            {
                float* s = src + (nint)(half * 8) * ldb + p;
                var v0 = Avx.LoadVector256(s);
                var v1 = Avx.LoadVector256(s + ldb);
                var v2 = Avx.LoadVector256(s + 2 * ldb);
                var v3 = Avx.LoadVector256(s + 3 * ldb);
                var v4 = Avx.LoadVector256(s + 4 * ldb);
                var v5 = Avx.LoadVector256(s + 5 * ldb);
                var v6 = Avx.LoadVector256(s + 6 * ldb);
                var v7 = Avx.LoadVector256(s + 7 * ldb);
                Transpose8x8(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
                float* d = dst + p * Nr + half * 8;
                Avx.Store(d, v0);
                Avx.Store(d + Nr, v1);
                Avx.Store(d + 2 * Nr, v2);
                Avx.Store(d + 3 * Nr, v3);
                Avx.Store(d + 4 * Nr, v4);
                Avx.Store(d + 5 * Nr, v5);
                Avx.Store(d + 6 * Nr, v6);
                Avx.Store(d + 7 * Nr, v7);
            }
        }
        for (; p < kc; p++)
        {
            float* d = dst + p * Nr;
            for (int c = 0; c < Nr; c++) d[c] = src[c * ldb + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
