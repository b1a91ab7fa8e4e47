using System.Numerics;

namespace Nabla.Kernels;

/// <summary>
/// The B operand of a series of products, packed once: a recurrent layer multiplies by the same W_hh at every step.
/// <see cref="Gemm.MultiplyPacked{T}"/> then skips B's packing, with the results of <see cref="Gemm.Multiply{T}"/> on
/// the packed path (the same panels, the same order of sums).
/// </summary>
/// <remarks>The packing follows the kernels in use when <see cref="Pack"/> ran; it is reused until the next Pack.</remarks>
internal sealed unsafe class GemmPackedB<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PackBuffer _buffer = new();

    /// <summary>The blocking the panels were packed for.</summary>
    internal GemmBlocking<T> Blocking { get; private set; }

    /// <summary>Columns of op(B) (of the product).</summary>
    public int N { get; private set; }

    /// <summary>Rows of op(B) (the depth of the product).</summary>
    public int K { get; private set; }

    /// <summary>The packed panels; null before the first <see cref="Pack"/>.</summary>
    internal T* Data { get; private set; }

    /// <summary>Packs op(B), k × n: b[p·ldb + j], or b[j·ldb + p] when <paramref name="transB"/> (see <see cref="Gemm"/>).</summary>
    public void Pack(bool transB, int n, int k, ReadOnlySpan<T> b, int ldb)
    {
        Gemm.ValidateB(transB, n, k, b.Length, ldb);
        var blocking = Gemm.BlockingFor<T>();
        T* data = (T*)_buffer.Get((nint)sizeof(T) * Math.Max(1, PackedGemm<T>.PackedBLength(blocking, Math.Max(n, 1), Math.Max(k, 1))));
        if (n > 0 && k > 0)
            fixed (T* pb = b) PackedGemm<T>.PackAllB(blocking, transB, n, k, pb, ldb, data);
        Blocking = blocking;
        N = n;
        K = k;
        Data = data;
    }
}
