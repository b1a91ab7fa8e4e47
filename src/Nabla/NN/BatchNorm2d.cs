namespace Nabla.NN;

/// <summary>Batch normalization of a [N, C, H, W] batch of feature maps: one mean and variance per channel, over N, H and W. See <see cref="BatchNorm"/> for the formulas.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels; <paramref name="affine"/> false leaves out the learned γ and β.</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to the variance before the square root.</param>
    /// <param name="momentum">The weight m in [0, 1] of the newest batch in the running estimates.</param>
    /// <param name="affine">Whether γ and β are learned.</param>
    public BatchNorm2d(int numFeatures, double epsilon = 1e-5, double momentum = 0.1, bool affine = true) : base(numFeatures, epsilon, momentum, affine) { }

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank, out string expected)
    {
        expected = $"[N, {NumFeatures}, H, W]";
        return rank == 4;
    }
}
