using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>
/// Portable packing of GEMM operands into the panel layout the micro-kernels read. Transposed operands are read in
/// place (never materialized); rows or columns past the matrix edge are padded with zeros.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0:i0+mc, p0:p0+kc] as ceil(mc/mr) panels, each kc steps of mr values: dst[panel][p][r].
    /// op(A)(i,p) is a[i·lda+p], or a[p·lda+i] when <paramref name="trans"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(bool trans, T* a, nint lda, int i0, int mc, int p0, int kc, int mr, T* dst) where T : unmanaged
    {
        for (int ip = 0; ip < mc; ip += mr)
        {
            int rows = Math.Min(mr, mc - ip);
            if (!trans)
            {
                for (int r = 0; r < rows; r++)
                {
                    T* src = a + (i0 + ip + r) * lda + p0;
                    T* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (p0 + p) * lda + i0 + ip;
                    T* d = dst + p * mr;
                    for (int r = 0; r < rows; r++) d[r] = src[r];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int r = rows; r < mr; r++) dst[p * mr + r] = default;
            dst += (nint)kc * mr;
        }
    }

    /// <summary>
    /// Packs op(B)[p0:p0+kc, j0:j0+nc] as ceil(nc/nr) panels, each kc steps of nr values: dst[panel][p][c].
    /// op(B)(p,j) is b[p·ldb+j], or b[j·ldb+p] when <paramref name="trans"/>. Panels start <paramref name="panelStride"/> elements apart (≥ kc·nr).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(bool trans, T* b, nint ldb, int p0, int kc, int j0, int nc, int nr, nint panelStride, T* dst) where T : unmanaged
    {
        for (int jp = 0; jp < nc; jp += nr)
        {
            int cols = Math.Min(nr, nc - jp);
            if (!trans)
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (p0 + p) * ldb + j0 + jp;
                    T* d = dst + p * nr;
                    for (int c = 0; c < cols; c++) d[c] = src[c];
                }
            }
            else
            {
                for (int c = 0; c < cols; c++)
                {
                    T* src = b + (j0 + jp + c) * ldb + p0;
                    T* d = dst + c;
                    for (int p = 0; p < kc; p++) d[p * nr] = src[p];
                }
            }
            if (cols < nr)
                for (int p = 0; p < kc; p++)
                    for (int c = cols; c < nr; c++) dst[p * nr + c] = default;
            dst += panelStride;
        }
    }
}
