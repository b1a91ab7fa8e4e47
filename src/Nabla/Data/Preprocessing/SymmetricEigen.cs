using Nabla.Errors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations, in double: A = V·diag(λ)·Vᵀ.
/// Each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal mass is negligible
/// (quadratic convergence). Cost O(D³) per sweep, typically under ten sweeps: fine up to about 1000 dimensions.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues sorted descending, and eigenvectors as rows of a [D·D] row-major array (row k belongs to value k),
    /// each with its largest-magnitude entry positive (a deterministic sign).
    /// </summary>
    internal static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int d)
    {
        if (matrix.Length != d * d) throw new ShapeException($"eigen: a {d}x{d} matrix needs {d * d} values, got {matrix.Length}");
        var a = matrix.ToArray();
        var vt = new double[d * d];   // rows are the eigenvectors being accumulated
        for (int i = 0; i < d; i++) vt[i * d + i] = 1;

        double frob2 = 0;
        foreach (double x in a) frob2 += x * x;
        if (!double.IsFinite(frob2)) throw new ValueException("eigen: the matrix holds NaN or infinite values");
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < d; p++)
                for (int q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
            if (off <= 1e-30 * frob2 || off == 0) break;
            for (int p = 0; p < d - 1; p++)
                for (int q = p + 1; q < d; q++)
                {
                    double apq = a[p * d + q];
                    if (apq == 0) continue;
                    double app = a[p * d + p], aqq = a[q * d + q];
                    // Skip pairs whose coupling is below rounding of the diagonal: rotating would change nothing.
                    if (Math.Abs(apq) < 1e-18 * (Math.Abs(app) + Math.Abs(aqq))) { a[p * d + q] = a[q * d + p] = 0; continue; }
                    double theta = (aqq - app) / (2 * apq);
                    // t = tan(φ), the smaller root of t² + 2θt − 1 = 0, keeps the rotation angle below 45° (stable).
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    var rp = a.AsSpan(p * d, d);
                    var rq = a.AsSpan(q * d, d);
                    for (int k = 0; k < d; k++)
                    {
                        double xp = rp[k], xq = rq[k];
                        rp[k] = c * xp - s * xq;
                        rq[k] = s * xp + c * xq;
                    }
                    for (int k = 0; k < d; k++) { a[k * d + p] = rp[k]; a[k * d + q] = rq[k]; }
                    rp[p] = app - t * apq;
                    rq[q] = aqq + t * apq;
                    rp[q] = rq[p] = 0;
                    var vp = vt.AsSpan(p * d, d);
                    var vq = vt.AsSpan(q * d, d);
                    for (int k = 0; k < d; k++)
                    {
                        double xp = vp[k], xq = vq[k];
                        vp[k] = c * xp - s * xq;
                        vq[k] = s * xp + c * xq;
                    }
                }
        }

        var order = Enumerable.Range(0, d).OrderByDescending(i => a[i * d + i]).ThenBy(i => i).ToArray();
        var values = new double[d];
        var vectors = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            int i = order[k];
            values[k] = a[i * d + i];
            var src = vt.AsSpan(i * d, d);
            int big = 0;
            for (int j = 1; j < d; j++) if (Math.Abs(src[j]) > Math.Abs(src[big]) + 1e-12) big = j;
            double sign = src[big] < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) vectors[k * d + j] = sign * src[j];
        }
        return (values, vectors);
    }
}
