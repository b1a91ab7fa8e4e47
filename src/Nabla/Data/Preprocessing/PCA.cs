using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Principal component analysis: projects centered data onto the k leading eigenvectors of the training
/// covariance Σ = (1/N)·Σ_r (x_r − μ)(x_r − μ)ᵀ, z = Wᵀ(x − μ) with W = [u₁ … u_k], sorted by decreasing
/// eigenvalue (the variance along each axis). Keep a fixed number of components (<see cref="WithComponents"/>)
/// or the fewest that explain a fraction of the variance (<see cref="WithVarianceFraction"/>).
/// </summary>
/// <remarks>
/// The eigen-decomposition is computed in double by Jacobi rotations (<c>O(D³)</c> per sweep; seconds for D = 784).
/// Each component's sign is fixed so that its largest-magnitude entry is positive.
/// </remarks>
public sealed class PCA : IPreprocessor
{
    private readonly int? _k;
    private readonly double? _fraction;
    private double[] _mean = [], _components = [], _eigenvalues = [];
    private int _d, _kept;

    private PCA(int? k, double? fraction) { _k = k; _fraction = fraction; }

    /// <summary>PCA keeping <paramref name="components"/> components (at least 1, at most the number of features).</summary>
    public static PCA WithComponents(int components)
    {
        if (components < 1) throw new ValueException($"PCA: components must be at least 1, got {components}");
        return new PCA(components, null);
    }

    /// <summary>PCA keeping the fewest leading components whose explained variance reaches <paramref name="fraction"/> of the total, in (0, 1].</summary>
    public static PCA WithVarianceFraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ValueException($"PCA: the variance fraction must be in (0, 1], got {fraction}");
        return new PCA(null, fraction);
    }

    /// <inheritdoc/>
    public bool IsFitted { get; private set; }

    /// <summary>The number of components kept.</summary>
    public int Components => _kept;

    /// <summary>The training mean μ, one value per feature.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The kept principal axes as a float64 tensor [k, D]: row i is the unit eigenvector u_i.</summary>
    public Tensor ComponentsMatrix => Tensor.FromArray(_components.AsSpan(0, _kept * _d).ToArray(), _kept, _d);

    /// <summary>The variance along each kept axis (the eigenvalues λ₁ ≥ … ≥ λ_k).</summary>
    public IReadOnlyList<double> ExplainedVariance => _eigenvalues.AsSpan(0, _kept).ToArray();

    /// <summary>Each kept axis's share of the total variance, λ_i / Σ_j λ_j.</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio
    {
        get
        {
            double total = _eigenvalues.Where(v => v > 0).Sum();
            return _eigenvalues.Take(_kept).Select(v => total > 0 ? Math.Max(v, 0) / total : 0).ToArray();
        }
    }

    /// <summary>All D eigenvalues of the training covariance, descending.</summary>
    public IReadOnlyList<double> AllEigenvalues => _eigenvalues;

    /// <inheritdoc/>
    public void Fit(Tensor train)
    {
        var (n, d) = FeatureMatrix.Dims(train, "PCA.Fit");
        if (n < 2) throw new ValueException($"PCA.Fit: at least 2 training rows needed, got {n}");
        if (_k is int k && k > d) throw new ValueException($"PCA.Fit: {k} components requested, but the data has only {d} features");
        var mean = FeatureMatrix.Mean(train, n, d);
        var cov = FeatureMatrix.Covariance(train, n, d, mean);
        var (values, vectors) = SymmetricEigen.Decompose(cov, d);
        int kept = _k ?? Math.Max(1, ComponentsFor(values, _fraction!.Value));
        _mean = mean; _components = vectors; _eigenvalues = values; _d = d; _kept = kept; IsFitted = true;
    }

    private static int ComponentsFor(double[] values, double fraction)
    {
        double total = values.Where(v => v > 0).Sum(), acc = 0;
        if (total == 0) return 1;
        for (int i = 0; i < values.Length; i++)
        {
            acc += Math.Max(values[i], 0);
            if (acc >= fraction * total * (1 - 1e-12)) return i + 1;
        }
        return values.Length;
    }

    /// <summary>Projects <paramref name="data"/> [M, ...] (D features per row) to [M, k]: z = Wᵀ(x − μ).</summary>
    public Tensor Transform(Tensor data)
    {
        FeatureMatrix.CheckFitted(IsFitted, "PCA.Transform");
        var (n, d) = FeatureMatrix.Dims(data, "PCA.Transform");
        FeatureMatrix.CheckWidth(_d, d, data, "PCA.Transform");
        return Project(data, n, _mean, _components, _kept, d);
    }

    /// <summary>Maps projections [M, k] back to feature space [M, D]: x ≈ W·z + μ (exact when k = D).</summary>
    public Tensor InverseTransform(Tensor projected)
    {
        FeatureMatrix.CheckFitted(IsFitted, "PCA.InverseTransform");
        var (n, k) = FeatureMatrix.Dims(projected, "PCA.InverseTransform");
        FeatureMatrix.CheckWidth(_kept, k, projected, "PCA.InverseTransform");
        var y = Tensor.Zeros([n, _d], projected.DType);
        var z = new double[k];
        var x = new double[_d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(projected, r, z);
            _mean.CopyTo(x, 0);
            for (int i = 0; i < k; i++)
            {
                double zi = z[i];
                var u = _components.AsSpan(i * _d, _d);
                for (int j = 0; j < _d; j++) x[j] += zi * u[j];
            }
            FeatureMatrix.WriteRow(y, r, x);
        }
        return y;
    }

    /// <summary>Fits on <paramref name="train"/> and projects it.</summary>
    public Tensor FitTransform(Tensor train) { Fit(train); return Transform(train); }

    /// <summary>out[r, i] = Σ_j rows[i, j]·(x[r, j] − mean[j]) for the first <paramref name="k"/> rows of a [k·d] matrix.</summary>
    internal static Tensor Project(Tensor data, int n, double[] mean, double[] rows, int k, int d)
    {
        var y = Tensor.Zeros([n, k], data.DType);
        var x = new double[d];
        var z = new double[k];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(data, r, x);
            for (int j = 0; j < d; j++) x[j] -= mean[j];
            for (int i = 0; i < k; i++)
            {
                var u = rows.AsSpan(i * d, d);
                double s = 0;
                for (int j = 0; j < d; j++) s += u[j] * x[j];
                z[i] = s;
            }
            FeatureMatrix.WriteRow(y, r, z);
        }
        return y;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double[]> ExportState()
    {
        FeatureMatrix.CheckFitted(IsFitted, "PCA.ExportState");
        return new Dictionary<string, double[]>
        {
            ["mean"] = (double[])_mean.Clone(),
            ["components"] = (double[])_components.Clone(),   // all D eigenvectors, row-major [D, D]
            ["eigenvalues"] = (double[])_eigenvalues.Clone(),
            ["kept"] = [_kept],
        };
    }

    /// <inheritdoc/>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        var mean = FeatureMatrix.Get(state, "mean", "PCA");
        int d = mean.Length;
        var comps = FeatureMatrix.Get(state, "components", "PCA", d * d);
        var values = FeatureMatrix.Get(state, "eigenvalues", "PCA", d);
        var kept = FeatureMatrix.Get(state, "kept", "PCA", 1)[0];
        if (kept < 1 || kept > d || kept != Math.Floor(kept)) throw new ValueException($"PCA.ImportState: 'kept' must be an integer in [1, {d}], found {kept}");
        _mean = mean; _components = comps; _eigenvalues = values; _d = d; _kept = (int)kept; IsFitted = true;
    }
}
