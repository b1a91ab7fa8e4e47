using System.Numerics;

namespace Nabla.Tensors;

/// <summary>
/// Reductions along one axis of a row-major tensor viewed as [outer, n, inner]. Summation runs in a
/// fixed order (over n, ascending), so results never depend on threads or batching.
/// </summary>
internal static class AxisReduce
{
    public static void Sum<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Clear();
        for (int o = 0; o < outer; o++)
        {
            var dst = y.Slice(o * inner, inner);
            if (inner == 1)
            {
                var row = x.Slice(o * n, n);
                T s = T.Zero;
                int i = 0, w = Vector<T>.Count;
                if (n >= 2 * w)
                {
                    var acc = Vector<T>.Zero;
                    for (; i <= n - w; i += w) acc += new Vector<T>(row[i..]);
                    s = Vector.Sum(acc);
                }
                for (; i < n; i++) s += row[i];
                dst[0] = s;
                continue;
            }
            for (int r = 0; r < n; r++)
            {
                var src = x.Slice((o * n + r) * inner, inner);
                int i = 0, w = Vector<T>.Count;
                for (; i <= inner - w; i += w) (new Vector<T>(dst[i..]) + new Vector<T>(src[i..])).CopyTo(dst[i..]);
                for (; i < inner; i++) dst[i] += src[i];
            }
        }
    }

    /// <summary>Max (or min) along the axis; <paramref name="index"/> gets the position of the first extreme (NaN counts as the extreme).</summary>
    public static void Extreme<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> index, int outer, int n, int inner, bool max) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                T best = x[b];
                int bi = 0;
                for (int r = 1; r < n && !T.IsNaN(best); r++)
                {
                    T v = x[b + r * inner];
                    if (T.IsNaN(v) || (max ? v > best : v < best)) { best = v; bi = r; }
                }
                y[o * inner + i] = best;
                index[o * inner + i] = bi;
            }
    }
}
