using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tensors;

/// <summary>
/// Reductions along one axis of a row-major tensor viewed as [outer, n, inner], on the kernels: rows of a matrix
/// (inner = 1) through <see cref="Reductions"/>, columns by accumulating whole rows with <see cref="Elementwise"/>.
/// The order of summation is fixed, so results never depend on threads or batching.
/// </summary>
internal static class AxisReduce
{
    public static void Sum<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            Reductions.SumRows(x, y, outer, n); // pairwise within each row
            return;
        }
        y.Clear();
        for (int o = 0; o < outer; o++)
        {
            var dst = y.Slice(o * inner, inner);
            for (int r = 0; r < n; r++) Elementwise.Accumulate(x.Slice((o * n + r) * inner, inner), dst);
        }
    }

    /// <summary>Max (or min) along the axis; <paramref name="index"/> gets the position of the first extreme (NaN counts as the extreme).</summary>
    public static void Extreme<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> index, int outer, int n, int inner, bool max) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var row = x.Slice(o * n, n);
                int i = max ? Reductions.ArgMax(row) : Reductions.ArgMin(row);
                y[o] = row[i];
                index[o] = i;
            }
            return;
        }
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
