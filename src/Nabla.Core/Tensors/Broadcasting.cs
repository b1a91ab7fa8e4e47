using System.Numerics;

namespace Nabla.Tensors;

/// <summary>
/// Applies a binary operation over two broadcast operands. Adjacent axes are merged where both operands
/// are laid out alike, so the inner loop runs over the longest contiguous stretch (e.g. [N,C] + [C]
/// becomes N runs of C), and each run is a SIMD loop when the operation has a vector form.
/// </summary>
internal static class Broadcasting
{
    public static void Apply<TOp, T>(ReadOnlySpan<T> a, Shape sa, ReadOnlySpan<T> b, Shape sb, Span<T> r, Shape sr)
        where TOp : struct, IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (sa == sb)
        {
            Run<TOp, T>(a, 1, b, 1, r);
            return;
        }
        int rank = sr.Rank;
        Span<int> axA = stackalloc int[Math.Max(rank, 1)];
        Span<int> axB = stackalloc int[Math.Max(rank, 1)];
        Span<int> dims = stackalloc int[Math.Max(rank, 1)];
        Span<int> stA = stackalloc int[Math.Max(rank, 1)];
        Span<int> stB = stackalloc int[Math.Max(rank, 1)];
        BroadcastStrides(sa, sr, axA);
        BroadcastStrides(sb, sr, axB);
        // Coalesce: walk from the innermost axis outward, merging an axis into the current group when
        // both operands continue contiguously (or both stay broadcast) across it.
        int n = 0;
        for (int i = rank - 1; i >= 0; i--)
        {
            int d = sr.Dims[i];
            if (d == 1) continue;
            if (n > 0 && axA[i] == stA[n - 1] * dims[n - 1] && axB[i] == stB[n - 1] * dims[n - 1])
            {
                dims[n - 1] *= d;
                continue;
            }
            dims[n] = d; stA[n] = axA[i]; stB[n] = axB[i]; n++;
        }
        if (n == 0) { dims[0] = 1; stA[0] = 0; stB[0] = 0; n = 1; }
        // Now axis 0 is the innermost group; axes 1..n-1 outer, innermost-first.
        int inner = dims[0], ia = stA[0], ib = stB[0];
        Span<int> counter = stackalloc int[n];
        counter.Clear();
        int offA = 0, offB = 0, offR = 0;
        int outer = r.Length / Math.Max(inner, 1);
        for (int o = 0; o < outer; o++)
        {
            Run<TOp, T>(a[offA..], ia, b[offB..], ib, r.Slice(offR, inner));
            offR += inner;
            for (int ax = 1; ax < n; ax++)
            {
                counter[ax]++;
                offA += stA[ax]; offB += stB[ax];
                if (counter[ax] < dims[ax]) break;
                offA -= stA[ax] * dims[ax]; offB -= stB[ax] * dims[ax];
                counter[ax] = 0;
            }
        }
    }

    private static void BroadcastStrides(Shape s, Shape target, Span<int> strides)
    {
        int lead = target.Rank - s.Rank, acc = 1;
        for (int i = target.Rank - 1; i >= 0; i--)
        {
            int d = i < lead ? 1 : s.Dims[i - lead];
            strides[i] = d == 1 ? 0 : acc;
            acc *= d;
        }
    }

    /// <summary>r[i] = op(a[i·ia], b[i·ib]) for strides ia, ib in {0, 1}.</summary>
    private static void Run<TOp, T>(ReadOnlySpan<T> a, int ia, ReadOnlySpan<T> b, int ib, Span<T> r)
        where TOp : struct, IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        int len = r.Length, i = 0, w = Vector<T>.Count;
        if (TOp.Vectorized && Vector.IsHardwareAccelerated && len >= w)
        {
            if (ia == 1 && ib == 1)
                for (; i <= len - w; i += w) TOp.Apply(new Vector<T>(a[i..]), new Vector<T>(b[i..])).CopyTo(r[i..]);
            else if (ia == 1 && ib == 0)
            {
                var vb = new Vector<T>(b[0]);
                for (; i <= len - w; i += w) TOp.Apply(new Vector<T>(a[i..]), vb).CopyTo(r[i..]);
            }
            else if (ia == 0 && ib == 1)
            {
                var va = new Vector<T>(a[0]);
                for (; i <= len - w; i += w) TOp.Apply(va, new Vector<T>(b[i..])).CopyTo(r[i..]);
            }
        }
        for (; i < len; i++) r[i] = TOp.Apply(a[i * ia], b[i * ib]);
    }
}
