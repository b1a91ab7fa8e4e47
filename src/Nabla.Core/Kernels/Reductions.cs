using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Reductions over a whole span and over the rows of a row-major [rows, cols] matrix, of float or double.
/// </summary>
/// <remarks>
/// Sums (<see cref="Sum{T}"/>, <see cref="SumOfSquares{T}"/>, <see cref="Dot{T}"/>)
/// are pairwise: blocks of 1024 elements are summed with four independent vector accumulators and the block sums
/// are combined as a balanced tree whose shape depends only on the length. They are deterministic (same input,
/// same machine, same bits) and accurate: the error bound grows like log n instead of n. Max, Min and ArgMax
/// propagate NaN like PyTorch (ArgMax returns the first NaN, else the first maximum); the max of −0 and +0 may be either. Empty input: the sums are 0;
/// Max, Min and ArgMax throw.
/// </remarks>
public static class Reductions
{
    // ================================================================ whole-span

    /// <summary>Σ x (pairwise, deterministic).</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.PairwiseSum(new SumMap<T>(), x, x);

    /// <summary>Σ x² (pairwise, deterministic; fused multiply-adds).</summary>
    public static T SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Simd.PairwiseSum(new DotMap<T>(), x, x);

    /// <summary>Σ a·b (pairwise, deterministic; fused multiply-adds).</summary>
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Simd.PairwiseSum(new DotMap<T>(), a, b);

    /// <summary>The largest element (NaN if any element is NaN). Throws on an empty span.</summary>
    public static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Fold(new MaxFold<T>(), x);

    /// <summary>The smallest element (NaN if any element is NaN). Throws on an empty span.</summary>
    public static T Min<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Fold(new MinFold<T>(), x);

    /// <summary>The index of the first maximum (of the first NaN, if there is one). Throws on an empty span.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => ArgMaxCore(x);

    /// <summary>The index of the first NaN or ±∞, or −1 when every element is finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfNonFinite<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckElementType<T>();
        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        // v − v is 0 exactly for finite v and NaN otherwise: skip whole clean vectors, then locate in the scalar loop.
        if (Simd.Level == SimdLevel.Vector256)
            for (int w = Vector256<T>.Count; i <= n - w; i += w)
            {
                Vector256<T> v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                if (!Vector256.EqualsAll(v - v, Vector256<T>.Zero)) break;
            }
        else if (Simd.Level == SimdLevel.Vector128)
            for (int w = Vector128<T>.Count; i <= n - w; i += w)
            {
                Vector128<T> v = Vector128.LoadUnsafe(ref xr, (nuint)i);
                if (!Vector128.EqualsAll(v - v, Vector128<T>.Zero)) break;
            }
        for (; i < n; i++)
            if (!T.IsFinite(Unsafe.Add(ref xr, i))) return i;
        return -1;
    }

    // ================================================================ row-wise: [rows, cols] → [rows]

    /// <summary>y[r] = Σ_c x[r, c] for a [rows, cols] matrix; overwrites y (length rows).</summary>
    public static void SumRows<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        CheckRowOutput(y.Length, rows, nameof(y));
        for (int r = 0; r < rows; r++) y[r] = Sum(x.Slice(r * cols, cols));
    }

    /// <summary>y[r] = max_c x[r, c] for a [rows, cols] matrix with cols ≥ 1; overwrites y (length rows).</summary>
    public static void MaxRows<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        CheckRowOutput(y.Length, rows, nameof(y));
        if (rows > 0 && cols == 0) throw new ArgumentException("MaxRows needs at least one column.", nameof(cols));
        for (int r = 0; r < rows; r++) y[r] = Fold(new MaxFold<T>(), x.Slice(r * cols, cols));
    }

    /// <summary>indices[r] = argmax_c x[r, c] for a [rows, cols] matrix with cols ≥ 1 (first maximum, or first NaN).</summary>
    public static void ArgMaxRows<T>(ReadOnlySpan<T> x, Span<int> indices, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        CheckRowOutput(indices.Length, rows, nameof(indices));
        if (rows > 0 && cols == 0) throw new ArgumentException("ArgMaxRows needs at least one column.", nameof(cols));
        for (int r = 0; r < rows; r++) indices[r] = ArgMaxCore(x.Slice(r * cols, cols));
    }

    // ================================================================ implementation

    private static void CheckRowOutput(int length, int rows, string name)
    {
        if (length != rows) throw new ArgumentException($"Length {length} of '{name}' is not rows = {rows}.", name);
    }

    /// <summary>
    /// Folds the span with max or min. The vector paths use the hardware instruction (MaxNative: no NaN or ±0 rules,
    /// about three times cheaper than IEEE Vector256.Max on AVX2) and track NaN separately with a self-comparison mask,
    /// so any NaN still gives NaN; only the sign of a zero result may differ from IEEE maximum. The tail is padded
    /// with x[0], which max and min ignore.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Fold<TOp, T>(TOp op, ReadOnlySpan<T> x) where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckElementType<T>();
        if (x.IsEmpty) throw new ArgumentException("Cannot reduce an empty span (max/min/argmax have no identity).", nameof(x));
        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        T first = xr;
        switch (Simd.Level)
        {
            case SimdLevel.Vector256:
            {
                int w = Vector256<T>.Count;
                Vector256<T> a0 = Vector256.Create(first), a1 = a0, nan = Vector256<T>.Zero;
                for (; i <= n - 2 * w; i += 2 * w)
                {
                    Vector256<T> v0 = Vector256.LoadUnsafe(ref xr, (nuint)i), v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + w));
                    a0 = op.Invoke(a0, v0);
                    a1 = op.Invoke(a1, v1);
                    nan |= ~(Vector256.Equals(v0, v0) & Vector256.Equals(v1, v1));
                }
                if (i <= n - w)
                {
                    Vector256<T> v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    a0 = op.Invoke(a0, v);
                    nan |= ~Vector256.Equals(v, v);
                    i += w;
                }
                if (i < n)
                {
                    Vector256<T> v = Simd.LoadPartial256(ref xr, i, n - i, first);
                    a1 = op.Invoke(a1, v);
                    nan |= ~Vector256.Equals(v, v);
                }
                if (nan != Vector256<T>.Zero) return T.NaN;
                a0 = op.Invoke(a0, a1);
                T r = a0[0];
                for (int k = 1; k < w; k++) r = op.Invoke(r, a0[k]);
                return r;
            }
            case SimdLevel.Vector128:
            {
                int w = Vector128<T>.Count;
                Vector128<T> a0 = Vector128.Create(first), a1 = a0, nan = Vector128<T>.Zero;
                for (; i <= n - 2 * w; i += 2 * w)
                {
                    Vector128<T> v0 = Vector128.LoadUnsafe(ref xr, (nuint)i), v1 = Vector128.LoadUnsafe(ref xr, (nuint)(i + w));
                    a0 = op.Invoke(a0, v0);
                    a1 = op.Invoke(a1, v1);
                    nan |= ~(Vector128.Equals(v0, v0) & Vector128.Equals(v1, v1));
                }
                if (i <= n - w)
                {
                    Vector128<T> v = Vector128.LoadUnsafe(ref xr, (nuint)i);
                    a0 = op.Invoke(a0, v);
                    nan |= ~Vector128.Equals(v, v);
                    i += w;
                }
                if (i < n)
                {
                    Vector128<T> v = Simd.LoadPartial128(ref xr, i, n - i, first);
                    a1 = op.Invoke(a1, v);
                    nan |= ~Vector128.Equals(v, v);
                }
                if (nan != Vector128<T>.Zero) return T.NaN;
                a0 = op.Invoke(a0, a1);
                T r = a0[0];
                for (int k = 1; k < w; k++) r = op.Invoke(r, a0[k]);
                return r;
            }
            default:
            {
                T r = first;
                for (i = 1; i < n; i++) r = op.Invoke(r, Unsafe.Add(ref xr, i));
                return r;
            }
        }
    }

    private static int ArgMaxCore<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => IndexOf(x, Fold(new MaxFold<T>(), x));

    /// <summary>The index of the first minimum (of the first NaN, if there is one). Throws on an empty span.</summary>
    internal static int ArgMin<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => IndexOf(x, Fold(new MinFold<T>(), x));

    /// <summary>The index of the first element equal to m (the first NaN when m is NaN); m must occur in x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOf<T>(ReadOnlySpan<T> x, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool nan = T.IsNaN(m);
        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        if (Simd.Level == SimdLevel.Vector256)
        {
            Vector256<T> mv = Vector256.Create(m);
            for (int w = Vector256<T>.Count; i <= n - w; i += w)
            {
                Vector256<T> v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                uint bits = (nan ? ~Vector256.Equals(v, v) : Vector256.Equals(v, mv)).ExtractMostSignificantBits();
                if (bits != 0) return i + BitOperations.TrailingZeroCount(bits);
            }
        }
        else if (Simd.Level == SimdLevel.Vector128)
        {
            Vector128<T> mv = Vector128.Create(m);
            for (int w = Vector128<T>.Count; i <= n - w; i += w)
            {
                Vector128<T> v = Vector128.LoadUnsafe(ref xr, (nuint)i);
                uint bits = (nan ? ~Vector128.Equals(v, v) : Vector128.Equals(v, mv)).ExtractMostSignificantBits();
                if (bits != 0) return i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < n; i++)
        {
            T v = Unsafe.Add(ref xr, i);
            if (nan ? T.IsNaN(v) : v == m) return i;
        }
        throw new InvalidOperationException("ArgMax/ArgMin: the extreme was not found (unreachable).");
    }

    private readonly struct MaxFold<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T a, T b) => T.Max(a, b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.MaxNative(a, b); // NaN tracked by Fold
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.MaxNative(a, b);
    }

    private readonly struct MinFold<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T a, T b) => T.Min(a, b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.MinNative(a, b); // NaN tracked by Fold
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.MinNative(a, b);
    }
}
