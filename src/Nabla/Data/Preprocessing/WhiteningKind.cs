namespace Nabla.Data.Preprocessing;

/// <summary>The rotation a <see cref="Whitening"/> ends in.</summary>
public enum WhiteningKind
{
    /// <summary>PCA whitening: z = Λ^(−1/2)·Uᵀ(x − μ), coordinates along the principal axes.</summary>
    PCA,

    /// <summary>ZCA whitening: z = U·Λ^(−1/2)·Uᵀ(x − μ), rotated back to the original axes (the whitening closest to the data).</summary>
    ZCA,
}
