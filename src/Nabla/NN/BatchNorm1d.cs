namespace Nabla.NN;

/// <summary>Batch normalization of a [N, C] batch of features or a [N, C, L] sequence batch (statistics over N, or N and L). See <see cref="BatchNorm"/> for the formulas.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels; <paramref name="affine"/> false leaves out the learned γ and β.</summary>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true) : base(numFeatures, eps, momentum, affine) { }

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank, out string expected)
    {
        expected = $"[N, {NumFeatures}] or [N, {NumFeatures}, L]";
        return rank is 2 or 3;
    }
}
