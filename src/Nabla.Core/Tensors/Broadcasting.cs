using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tensors;

/// <summary>
/// Applies a binary operation over two broadcast operands. Adjacent axes are merged where both operands
/// are laid out alike, so the inner loop runs over the longest contiguous stretch (e.g. [N,C] + [C]
/// becomes N runs of C), and each run is one call of the kernels' SIMD drivers (<see cref="Simd"/>), a broadcast
/// operand entering as a scalar.
/// </summary>
internal static class Broadcasting
{
    /// <summary>r = op(a, b) with a of shape <paramref name="sa"/> and b of shape <paramref name="sb"/> broadcast to <paramref name="sr"/>.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> a, Shape sa, ReadOnlySpan<T> b, Shape sb, Span<T> r, Shape sr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Apply(new AddOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Sub: Apply(new SubOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Mul: Apply(new MulOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Div: Apply(new DivOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Max: Apply(new MaxOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Min: Apply(new MinOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Pow: Apply(new PowBinaryOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Greater: Apply(new GreaterOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.GreaterEqual: Apply(new GreaterEqualOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Less: Apply(new LessOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.LessEqual: Apply(new LessEqualOp<T>(), a, sa, b, sb, r, sr); break;
            case BinaryOp.Equal: Apply(new EqualOp<T>(), a, sa, b, sb, r, sr); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "unknown binary operation");
        }
    }

    private static void Apply<TOp, T>(TOp op, ReadOnlySpan<T> a, Shape sa, ReadOnlySpan<T> b, Shape sb, Span<T> r, Shape sr)
        where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (sa == sb)
        {
            Run(op, a, 1, b, 1, r);
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
            Run(op, a[offA..], ia, b[offB..], ib, r.Slice(offR, inner));
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
    private static void Run<TOp, T>(TOp op, ReadOnlySpan<T> a, int ia, ReadOnlySpan<T> b, int ib, Span<T> r)
        where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int len = r.Length;
        if (ia == 1 && ib == 1) Simd.Binary(op, a[..len], b[..len], r);
        else if (ia == 1) Simd.Unary(new RightScalar<TOp, T>(op, b[0]), a[..len], r);
        else if (ib == 1) Simd.Unary(new LeftScalar<TOp, T>(op, a[0]), b[..len], r);
        else r.Fill(op.Invoke(a[0], b[0]));
    }
}
