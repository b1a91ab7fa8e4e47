using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>The instruction width the elementwise and reduction kernels use.</summary>
internal enum SimdLevel
{
    /// <summary>Plain scalar loops (any machine).</summary>
    Scalar = 0,
    /// <summary>128-bit vectors (SSE, NEON).</summary>
    Vector128 = 1,
    /// <summary>256-bit vectors; only chosen on x86 with AVX2 and FMA.</summary>
    Vector256 = 2,
}

/// <summary>
/// Loop drivers shared by the kernels: each applies an operation struct element by element over spans at the
/// current <see cref="Level"/>. The last partial vector is computed by loading the remaining elements into a
/// zero-padded vector, so every element goes through exactly the same arithmetic wherever it sits in the span
/// (a result never depends on the span's length or on the element's position).
/// </summary>
/// <remarks>
/// Aliasing: an output may be exactly the same memory as any input (in-place, accumulation), because each element
/// is read before it is written; a partial overlap is rejected.
/// The loop drivers are compiled fully optimised on first use (AggressiveOptimization): they are hot loops that gain
/// nothing from tiered compilation, and measured under load a driver could otherwise run its slow tier-0 code for
/// seconds (softmax at 2.5 instead of 0.9 ns per element).
/// </remarks>
internal static class Simd
{
    /// <summary>The widest level this machine runs well.</summary>
    internal static readonly SimdLevel Best =
        Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    private static SimdLevel _level = Best;

    /// <summary>The level in use. Tests lower it to force the fallback paths; it can never exceed <see cref="Best"/>.</summary>
    internal static SimdLevel Level
    {
        get => _level;
        set => _level = value <= Best ? value : Best;
    }

    // ---------------------------------------------------------------- argument checks

    internal static void CheckOutput<T>(ReadOnlySpan<T> input, Span<T> output, string outputName)
    {
        CheckElementType<T>();
        if (input.Length != output.Length)
            throw new ArgumentException($"Length {output.Length} of '{outputName}' does not match the input length {input.Length}.", outputName);
        if (input.Overlaps(output, out int offset) && offset != 0)
            throw new ArgumentException($"'{outputName}' partially overlaps an input; it may only be the very same span (in place) or disjoint.", outputName);
    }

    internal static void CheckInput<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> other, string otherName)
    {
        CheckElementType<T>();
        if (first.Length != other.Length)
            throw new ArgumentException($"Length {other.Length} of '{otherName}' does not match the first input's length {first.Length}.", otherName);
    }

    /// <summary>The kernels are generic over IEEE floating point but written and tested for float and double only
    /// (the JIT removes this check for those two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"The kernels run on float and double elements, not {typeof(T).Name}.");
    }

    internal static void CheckMatrix(int length, int rows, int cols, string name)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(cols), "Matrix dimensions must be non-negative.");
        if ((long)rows * cols != length)
            throw new ArgumentException($"Length {length} of '{name}' is not rows × cols = {rows} × {cols}.", name);
    }

    // ---------------------------------------------------------------- partial vectors

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> LoadPartial256<T>(ref T source, int start, int count, T fill) where T : unmanaged
    {
        Vector256<T> v = Vector256.Create(fill);
        ref T d = ref Unsafe.As<Vector256<T>, T>(ref v);
        for (int k = 0; k < count; k++) Unsafe.Add(ref d, k) = Unsafe.Add(ref source, start + k);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> LoadPartial128<T>(ref T source, int start, int count, T fill) where T : unmanaged
    {
        Vector128<T> v = Vector128.Create(fill);
        ref T d = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (int k = 0; k < count; k++) Unsafe.Add(ref d, k) = Unsafe.Add(ref source, start + k);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<T>(Vector256<T> v, ref T destination, int start, int count) where T : unmanaged
    {
        ref T s = ref Unsafe.As<Vector256<T>, T>(ref v);
        for (int k = 0; k < count; k++) Unsafe.Add(ref destination, start + k) = Unsafe.Add(ref s, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<T>(Vector128<T> v, ref T destination, int start, int count) where T : unmanaged
    {
        ref T s = ref Unsafe.As<Vector128<T>, T>(ref v);
        for (int k = 0; k < count; k++) Unsafe.Add(ref destination, start + k) = Unsafe.Add(ref s, k);
    }

    /// <summary>The lanes [start, start + Count) of <paramref name="source"/> as a <see cref="Vector{T}"/>; lanes past the end read as zero
    /// (for update rules written with Vector&lt;T&gt;, such as the optimizers').</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> LoadPartial<T>(ReadOnlySpan<T> source, int start) where T : unmanaged
    {
        if (start + Vector<T>.Count <= source.Length) return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)start);
        return LoadTail(source, start);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector<T> LoadTail<T>(ReadOnlySpan<T> source, int start) where T : unmanaged
    {
        Vector<T> v = Vector<T>.Zero;
        ref T d = ref Unsafe.As<Vector<T>, T>(ref v);
        for (int k = 0; start + k < source.Length; k++) Unsafe.Add(ref d, k) = source[start + k];
        return v;
    }

    /// <summary>Writes the lanes of <paramref name="v"/> that fall inside <paramref name="destination"/>, from index <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<T>(Vector<T> v, Span<T> destination, int start) where T : unmanaged
    {
        if (start + Vector<T>.Count <= destination.Length) v.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)start);
        else StoreTail(v, destination, start);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreTail<T>(Vector<T> v, Span<T> destination, int start) where T : unmanaged
    {
        ref T s = ref Unsafe.As<Vector<T>, T>(ref v);
        for (int k = 0; start + k < destination.Length; k++) destination[start + k] = Unsafe.Add(ref s, k);
    }

    /// <summary>
    /// y[i] += x[i], for the inner loops of other kernels (col2im adds thousands of short rows per call): inlined, with
    /// no overlap check (x and y are disjoint), so a short row costs a few instructions. Addition gives the same bits
    /// at every width. Public callers use <see cref="Elementwise.Accumulate{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddTo<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length, i = 0;
        if (y.Length < n) throw new ArgumentException($"Length {y.Length} of 'y' is shorter than the input's {n}.", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        else if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
                (Vector128.LoadUnsafe(ref yr, (nuint)i) + Vector128.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref yr, i) += Unsafe.Add(ref xr, i);
    }

    // ---------------------------------------------------------------- drivers

    // From this many elements on, an elementwise pass is split into chunks over the kernel threads (below, handing it
    // to a team costs more than it saves).
    internal const int ParallelElements = 1 << 16;

    /// <summary>y[i] = op(x[i]); spread over the kernel threads for long spans.</summary>
    internal static unsafe void Unary<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y)
        where TOp : struct, IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckOutput(x, y, "y");
        if (x.Length < ParallelElements || Parallelism.MaxThreads == 1) { UnarySerial(op, x, y); return; }
        fixed (T* px = x, py = y) ChunkedJob<UnaryRunner<TOp, T>>.Run(new UnaryRunner<TOp, T>(op, px, py), x.Length, ParallelElements);
    }

    private readonly unsafe struct UnaryRunner<TOp, T>(TOp op, T* x, T* y) : IChunkRunner
        where TOp : struct, IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int count) => UnarySerial(op, new ReadOnlySpan<T>(x + start, count), new Span<T>(y + start, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnarySerial<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y)
        where TOp : struct, IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        switch (_level)
        {
            case SimdLevel.Vector256:
                for (int w = Vector256<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n) StorePartial(op.Invoke(LoadPartial256(ref xr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            case SimdLevel.Vector128:
                for (int w = Vector128<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector128.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n) StorePartial(op.Invoke(LoadPartial128(ref xr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            default:
                for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref xr, i));
                break;
        }
    }

    /// <summary>y[i] = op(a[i], b[i]); spread over the kernel threads for long spans.</summary>
    internal static unsafe void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckInput(a, b, "b");
        CheckOutput(a, y, "y");
        CheckOutput(b, y, "y");
        if (a.Length < ParallelElements || Parallelism.MaxThreads == 1) { BinarySerial(op, a, b, y); return; }
        fixed (T* pa = a, pb = b, py = y) ChunkedJob<BinaryRunner<TOp, T>>.Run(new BinaryRunner<TOp, T>(op, pa, pb, py), a.Length, ParallelElements);
    }

    private readonly unsafe struct BinaryRunner<TOp, T>(TOp op, T* a, T* b, T* y) : IChunkRunner
        where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int count) =>
            BinarySerial(op, new ReadOnlySpan<T>(a + start, count), new ReadOnlySpan<T>(b + start, count), new Span<T>(y + start, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinarySerial<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Length, i = 0;
        ref T ar = ref MemoryMarshal.GetReference(a);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T yr = ref MemoryMarshal.GetReference(y);
        switch (_level)
        {
            case SimdLevel.Vector256:
                for (int w = Vector256<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial256(ref ar, i, n - i, default(T)), LoadPartial256(ref br, i, n - i, default(T))), ref yr, i, n - i);
                break;
            case SimdLevel.Vector128:
                for (int w = Vector128<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector128.LoadUnsafe(ref ar, (nuint)i), Vector128.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial128(ref ar, i, n - i, default(T)), LoadPartial128(ref br, i, n - i, default(T))), ref yr, i, n - i);
                break;
            default:
                for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
                break;
        }
    }

    /// <summary>y[i] = op(a[i], b[i], c[i]); used by backward kernels as dx = op(u, dy, dx); spread over the kernel threads for long spans.</summary>
    internal static unsafe void Ternary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> y)
        where TOp : struct, ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckInput(a, b, "b");
        CheckInput(a, c, "c");
        CheckOutput(a, y, "y");
        CheckOutput(b, y, "y");
        CheckOutput(c, y, "y");
        if (a.Length < ParallelElements || Parallelism.MaxThreads == 1) { TernarySerial(op, a, b, c, y); return; }
        fixed (T* pa = a, pb = b, pc = c, py = y)
            ChunkedJob<TernaryRunner<TOp, T>>.Run(new TernaryRunner<TOp, T>(op, pa, pb, pc, py), a.Length, ParallelElements);
    }

    private readonly unsafe struct TernaryRunner<TOp, T>(TOp op, T* a, T* b, T* c, T* y) : IChunkRunner
        where TOp : struct, ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int count) => TernarySerial(op, new ReadOnlySpan<T>(a + start, count), new ReadOnlySpan<T>(b + start, count),
            new ReadOnlySpan<T>(c + start, count), new Span<T>(y + start, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TernarySerial<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> y)
        where TOp : struct, ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Length, i = 0;
        ref T ar = ref MemoryMarshal.GetReference(a);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T cr = ref MemoryMarshal.GetReference(c);
        ref T yr = ref MemoryMarshal.GetReference(y);
        switch (_level)
        {
            case SimdLevel.Vector256:
                for (int w = Vector256<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i),
                        Vector256.LoadUnsafe(ref cr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial256(ref ar, i, n - i, default(T)), LoadPartial256(ref br, i, n - i, default(T)),
                        LoadPartial256(ref cr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            case SimdLevel.Vector128:
                for (int w = Vector128<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector128.LoadUnsafe(ref ar, (nuint)i), Vector128.LoadUnsafe(ref br, (nuint)i),
                        Vector128.LoadUnsafe(ref cr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial128(ref ar, i, n - i, default(T)), LoadPartial128(ref br, i, n - i, default(T)),
                        LoadPartial128(ref cr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            default:
                for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i));
                break;
        }
    }

    /// <summary>y[i] = op(a[i], b[i], c[i], d[i]); used by backward kernels as dx = op(u, v, dy, dx).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Quaternary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, ReadOnlySpan<T> d, Span<T> y)
        where TOp : struct, IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckInput(a, b, "b");
        CheckInput(a, c, "c");
        CheckInput(a, d, "d");
        CheckOutput(a, y, "y");
        CheckOutput(b, y, "y");
        CheckOutput(c, y, "y");
        CheckOutput(d, y, "y");
        int n = a.Length, i = 0;
        ref T ar = ref MemoryMarshal.GetReference(a);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T cr = ref MemoryMarshal.GetReference(c);
        ref T dr = ref MemoryMarshal.GetReference(d);
        ref T yr = ref MemoryMarshal.GetReference(y);
        switch (_level)
        {
            case SimdLevel.Vector256:
                for (int w = Vector256<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i),
                        Vector256.LoadUnsafe(ref cr, (nuint)i), Vector256.LoadUnsafe(ref dr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial256(ref ar, i, n - i, default(T)), LoadPartial256(ref br, i, n - i, default(T)),
                        LoadPartial256(ref cr, i, n - i, default(T)), LoadPartial256(ref dr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            case SimdLevel.Vector128:
                for (int w = Vector128<T>.Count; i <= n - w; i += w)
                    op.Invoke(Vector128.LoadUnsafe(ref ar, (nuint)i), Vector128.LoadUnsafe(ref br, (nuint)i),
                        Vector128.LoadUnsafe(ref cr, (nuint)i), Vector128.LoadUnsafe(ref dr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                if (i < n)
                    StorePartial(op.Invoke(LoadPartial128(ref ar, i, n - i, default(T)), LoadPartial128(ref br, i, n - i, default(T)),
                        LoadPartial128(ref cr, i, n - i, default(T)), LoadPartial128(ref dr, i, n - i, default(T))), ref yr, i, n - i);
                break;
            default:
                for (; i < n; i++)
                    Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i), Unsafe.Add(ref dr, i));
                break;
        }
    }

    /// <summary>
    /// Σ_i map(a[i], b[i]) summed pairwise: blocks of up to <see cref="SumBlock"/> elements are reduced with four independent
    /// vector accumulators, and blocks are combined as a balanced binary tree. The split points depend only on the
    /// length, so the result is deterministic for a given length and level; the error grows like O(log n), not O(n).
    /// </summary>
    internal static T PairwiseSum<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where TOp : struct, IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckInput(a, b, "b");
        return Pairwise(op, ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), 0, a.Length, _level);
    }

    /// <summary>The largest block summed directly at the widest level (4 accumulators × 8 lanes × 32 steps).</summary>
    internal const int SumBlock = 1024;

    /// <summary>Block size for a level: 32 sequential steps per lane of the four accumulators, whatever the width.</summary>
    private static int BlockFor<T>(SimdLevel level) => level switch
    {
        SimdLevel.Vector256 => 4 * 32 * Vector256<T>.Count,
        SimdLevel.Vector128 => 4 * 32 * Vector128<T>.Count,
        _ => 4 * 32,
    };

    private static T Pairwise<TOp, T>(TOp op, ref T a, ref T b, int start, int n, SimdLevel level)
        where TOp : struct, IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n <= BlockFor<T>(level)) return Block(op, ref a, ref b, start, n, level);
        int half = (n / 2) & ~31; // keep the left half a whole number of vector groups
        return Pairwise(op, ref a, ref b, start, half, level) + Pairwise(op, ref a, ref b, start + half, n - half, level);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Block<TOp, T>(TOp op, ref T a, ref T b, int start, int n, SimdLevel level)
        where TOp : struct, IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        ref T ar = ref Unsafe.Add(ref a, start);
        ref T br = ref Unsafe.Add(ref b, start);
        switch (level)
        {
            case SimdLevel.Vector256:
            {
                int w = Vector256<T>.Count;
                Vector256<T> s0 = Vector256<T>.Zero, s1 = s0, s2 = s0, s3 = s0;
                for (; i <= n - 4 * w; i += 4 * w)
                {
                    s0 = op.Accumulate(s0, Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i));
                    s1 = op.Accumulate(s1, Vector256.LoadUnsafe(ref ar, (nuint)(i + w)), Vector256.LoadUnsafe(ref br, (nuint)(i + w)));
                    s2 = op.Accumulate(s2, Vector256.LoadUnsafe(ref ar, (nuint)(i + 2 * w)), Vector256.LoadUnsafe(ref br, (nuint)(i + 2 * w)));
                    s3 = op.Accumulate(s3, Vector256.LoadUnsafe(ref ar, (nuint)(i + 3 * w)), Vector256.LoadUnsafe(ref br, (nuint)(i + 3 * w)));
                }
                for (; i <= n - w; i += w)
                    s0 = op.Accumulate(s0, Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i));
                if (i < n) // zero padding contributes map(0, 0) = 0
                    s1 = op.Accumulate(s1, LoadPartial256(ref ar, i, n - i, T.Zero), LoadPartial256(ref br, i, n - i, T.Zero));
                return Vector256.Sum((s0 + s1) + (s2 + s3));
            }
            case SimdLevel.Vector128:
            {
                int w = Vector128<T>.Count;
                Vector128<T> s0 = Vector128<T>.Zero, s1 = s0, s2 = s0, s3 = s0;
                for (; i <= n - 4 * w; i += 4 * w)
                {
                    s0 = op.Accumulate(s0, Vector128.LoadUnsafe(ref ar, (nuint)i), Vector128.LoadUnsafe(ref br, (nuint)i));
                    s1 = op.Accumulate(s1, Vector128.LoadUnsafe(ref ar, (nuint)(i + w)), Vector128.LoadUnsafe(ref br, (nuint)(i + w)));
                    s2 = op.Accumulate(s2, Vector128.LoadUnsafe(ref ar, (nuint)(i + 2 * w)), Vector128.LoadUnsafe(ref br, (nuint)(i + 2 * w)));
                    s3 = op.Accumulate(s3, Vector128.LoadUnsafe(ref ar, (nuint)(i + 3 * w)), Vector128.LoadUnsafe(ref br, (nuint)(i + 3 * w)));
                }
                for (; i <= n - w; i += w)
                    s0 = op.Accumulate(s0, Vector128.LoadUnsafe(ref ar, (nuint)i), Vector128.LoadUnsafe(ref br, (nuint)i));
                if (i < n)
                    s1 = op.Accumulate(s1, LoadPartial128(ref ar, i, n - i, T.Zero), LoadPartial128(ref br, i, n - i, T.Zero));
                return Vector128.Sum((s0 + s1) + (s2 + s3));
            }
            default:
            {
                T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
                for (; i <= n - 4; i += 4)
                {
                    s0 = op.Accumulate(s0, Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
                    s1 = op.Accumulate(s1, Unsafe.Add(ref ar, i + 1), Unsafe.Add(ref br, i + 1));
                    s2 = op.Accumulate(s2, Unsafe.Add(ref ar, i + 2), Unsafe.Add(ref br, i + 2));
                    s3 = op.Accumulate(s3, Unsafe.Add(ref ar, i + 3), Unsafe.Add(ref br, i + 3));
                }
                for (; i < n; i++) s0 = op.Accumulate(s0, Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
                return (s0 + s1) + (s2 + s3);
            }
        }
    }
}
