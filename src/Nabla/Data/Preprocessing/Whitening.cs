using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Whitening: decorrelates the features and gives each unit variance, so the training data's covariance
/// (1/N normalization) becomes the identity. With Σ = U·Λ·Uᵀ the training covariance,
/// PCA whitening maps x to Λ_ε^(−1/2)·Uᵀ(x − μ) and ZCA whitening to U·Λ_ε^(−1/2)·Uᵀ(x − μ), where
/// Λ_ε = Λ + ε·I. The epsilon keeps near-zero variances from blowing up noise (the whitened covariance is then
/// λ/(λ+ε) on each axis instead of exactly 1). Directions with no variance at all (λ ≤ 1e−12·λ_max) map to 0.
/// </summary>
public sealed class Whitening : IPreprocessor
{
    private double[] _mean = [], _matrix = [];   // _matrix: [D_out, D] rows applied to x − μ
    private int _d;

    /// <summary>Creates the transformation.</summary>
    /// <param name="kind">PCA or ZCA whitening.</param>
    /// <param name="epsilon">Added to every eigenvalue before the inverse square root (at least 0).</param>
    public Whitening(WhiteningKind kind = WhiteningKind.ZCA, double epsilon = 1e-5)
    {
        if (!(epsilon >= 0) || !double.IsFinite(epsilon)) throw new ValueException($"Whitening: epsilon must be finite and at least 0, got {epsilon}");
        Kind = kind;
        Epsilon = epsilon;
    }

    /// <summary>PCA or ZCA.</summary>
    public WhiteningKind Kind { get; }

    /// <summary>The regularizer added to the eigenvalues.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public bool IsFitted { get; private set; }

    /// <summary>The whitening matrix as a float64 tensor [D, D] (rows applied to x − μ).</summary>
    public Tensor Matrix => Tensor.FromArray((double[])_matrix.Clone(), _d, _d);

    /// <inheritdoc/>
    public void Fit(Tensor train)
    {
        var (n, d) = FeatureMatrix.Dims(train, "Whitening.Fit");
        if (n < 2) throw new ValueException($"Whitening.Fit: at least 2 training rows needed, got {n}");
        var mean = FeatureMatrix.Mean(train, n, d);
        var (values, u) = SymmetricEigen.Decompose(FeatureMatrix.Covariance(train, n, d, mean), d);
        double floor = 1e-12 * Math.Max(values[0], 0);
        var inv = new double[d];
        for (int i = 0; i < d; i++) inv[i] = values[i] > floor && values[i] + Epsilon > 0 ? 1 / Math.Sqrt(values[i] + Epsilon) : 0;
        var m = new double[d * d];
        if (Kind == WhiteningKind.PCA)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) m[i * d + j] = inv[i] * u[i * d + j];
        else
            // M[a,b] = Σ_i U[a,i]·inv_i·U[b,i]; with u holding eigenvectors as rows, U[a,i] = u[i,a].
            for (int a = 0; a < d; a++)
                for (int b = a; b < d; b++)
                {
                    double s = 0;
                    for (int i = 0; i < d; i++) s += u[i * d + a] * inv[i] * u[i * d + b];
                    m[a * d + b] = m[b * d + a] = s;
                }
        _mean = mean; _matrix = m; _d = d; IsFitted = true;
    }

    /// <summary>Whitens <paramref name="data"/> [M, ...] (D features per row) into [M, D].</summary>
    public Tensor Transform(Tensor data)
    {
        FeatureMatrix.CheckFitted(IsFitted, "Whitening.Transform");
        var (n, d) = FeatureMatrix.Dims(data, "Whitening.Transform");
        FeatureMatrix.CheckWidth(_d, d, data, "Whitening.Transform");
        return PCA.Project(data, n, _mean, _matrix, d, d);
    }

    /// <summary>Fits on <paramref name="train"/> and whitens it.</summary>
    public Tensor FitTransform(Tensor train) { Fit(train); return Transform(train); }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double[]> ExportState()
    {
        FeatureMatrix.CheckFitted(IsFitted, "Whitening.ExportState");
        return new Dictionary<string, double[]>
        {
            ["mean"] = (double[])_mean.Clone(),
            ["matrix"] = (double[])_matrix.Clone(),
            ["kind_epsilon"] = [(double)Kind, Epsilon],
        };
    }

    /// <inheritdoc/>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        var mean = FeatureMatrix.Get(state, "mean", "Whitening");
        var m = FeatureMatrix.Get(state, "matrix", "Whitening", mean.Length * mean.Length);
        var ke = FeatureMatrix.Get(state, "kind_epsilon", "Whitening", 2);
        if ((WhiteningKind)(int)ke[0] != Kind || ke[1] != Epsilon)
            throw new ValueException($"Whitening.ImportState: the state is {(WhiteningKind)(int)ke[0]} with epsilon {ke[1]}, this transformation {Kind} with epsilon {Epsilon}");
        _mean = mean; _matrix = m; _d = mean.Length; IsFitted = true;
    }
}
