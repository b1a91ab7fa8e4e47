using System.Runtime.InteropServices;

namespace Nabla.Bench;

/// <summary>OpenBLAS (Debian's libopenblas.so.0), P/Invoked as a reference for benchmarks only.</summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    public const int RowMajor = 101, NoTrans = 111, Trans = 112;

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetNumThreads(int threads);

    [LibraryImport(Library, EntryPoint = "openblas_get_config")]
    public static partial nint GetConfig();

    [LibraryImport(Library, EntryPoint = "openblas_get_corename")]
    public static partial nint GetCoreName();

    public static string Config => Marshal.PtrToStringAnsi(GetConfig()) ?? "?";

    /// <summary>The kernel set OpenBLAS chose (or was given through OPENBLAS_CORETYPE), e.g. Haswell, Zen, Nehalem.</summary>
    public static string CoreName => Marshal.PtrToStringAnsi(GetCoreName()) ?? "?";
}
