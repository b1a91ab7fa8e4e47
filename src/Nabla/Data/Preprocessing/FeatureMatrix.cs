using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>Reads a tensor [N, ...] as N rows of D doubles, and builds float32/float64 results; shared by the preprocessors.</summary>
internal static class FeatureMatrix
{
    internal static (int N, int D) Dims(Tensor t, string op)
    {
        if (t.Rank == 0) throw new ShapeException($"{op}: data [N, ...] with examples along axis 0 expected, got a scalar");
        int n = t.Shape[0];
        return (n, n == 0 ? t.Shape.Dims[1..].ToArray().Aggregate(1, (a, b) => a * b) : t.Numel / n);
    }

    /// <summary>Copies row <paramref name="r"/> of <paramref name="t"/> (D features) into <paramref name="dst"/>.</summary>
    internal static void ReadRow(Tensor t, int r, double[] dst) => DTypeDispatch.Run(t.DType, new RowCopy(t, r, dst, write: false));

    /// <summary>Writes <paramref name="src"/> as row <paramref name="r"/> of <paramref name="t"/>.</summary>
    internal static void WriteRow(Tensor t, int r, double[] src) => DTypeDispatch.Run(t.DType, new RowCopy(t, r, src, write: true));

    /// <summary>Row r of t (as many features as the array holds) into the array, or with write the array into row r.</summary>
    private readonly struct RowCopy(Tensor t, int r, double[] row, bool write) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            int d = row.Length;
            Span<T> s = t.AsSpan<T>().Slice(r * d, d);
            if (write) for (int j = 0; j < d; j++) s[j] = T.CreateTruncating(row[j]);
            else for (int j = 0; j < d; j++) row[j] = double.CreateTruncating(s[j]);
        }
    }

    /// <summary>Column means of the rows.</summary>
    internal static double[] Mean(Tensor t, int n, int d)
    {
        var mean = new double[d];
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            ReadRow(t, r, row);
            for (int j = 0; j < d; j++) mean[j] += row[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        return mean;
    }

    /// <summary>
    /// The covariance Σ = (1/N)·Σ_r (x_r − μ)(x_r − μ)ᵀ, [D·D] row-major, in double. Rows are centered in blocks
    /// and accumulated with a transposed GEMM.
    /// </summary>
    internal static double[] Covariance(Tensor t, int n, int d, double[] mean)
    {
        const int Block = 256;
        var cov = new double[d * d];
        var buf = new double[Block * d];
        var row = new double[d];
        for (int r0 = 0; r0 < n; r0 += Block)
        {
            int b = Math.Min(Block, n - r0);
            for (int i = 0; i < b; i++)
            {
                ReadRow(t, r0 + i, row);
                for (int j = 0; j < d; j++) buf[i * d + j] = row[j] - mean[j];
            }
            // cov[d,d] += bufᵀ[d,b] · buf[b,d]
            Nabla.Kernels.Gemm.Dgemm(true, false, d, d, b, 1.0, buf, d, buf, d, 1.0, cov, d);
        }
        for (int i = 0; i < cov.Length; i++) cov[i] /= n;
        // Exact symmetry for the eigen solver.
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++)
                cov[j * d + i] = cov[i * d + j] = 0.5 * (cov[i * d + j] + cov[j * d + i]);
        return cov;
    }

    internal static Tensor New(int n, int[] exampleShape, DType dtype)
    {
        var dims = new int[exampleShape.Length + 1];
        dims[0] = n;
        exampleShape.CopyTo(dims, 1);
        return Tensor.Zeros(dims, dtype);
    }

    internal static double[] Get(IReadOnlyDictionary<string, double[]> state, string key, string op, int? length = null)
    {
        if (!state.TryGetValue(key, out var v)) throw new ValueException($"{op}.ImportState: entry '{key}' expected, found {string.Join(", ", state.Keys.Select(k => $"'{k}'"))}");
        if (length is int l && v.Length != l) throw new ValueException($"{op}.ImportState: entry '{key}' of length {l} expected, found {v.Length}");
        return (double[])v.Clone();
    }

    internal static void CheckWidth(int expected, int actual, Tensor t, string op)
    {
        if (expected != actual) throw new ShapeException($"{op}: fitted on {expected} features per example, got data {t.Shape} with {actual}");
    }

    internal static void CheckFitted(bool fitted, string op)
    {
        if (!fitted) throw new ValueException($"{op}: call Fit on the training data first");
    }
}
