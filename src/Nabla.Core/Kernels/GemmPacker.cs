namespace Nabla.Kernels;

/// <summary>Which packer a <see cref="GemmBlocking{T}"/> packs its single-precision operands with.</summary>
internal enum GemmPacker
{
    /// <summary>The portable scalar packer, <see cref="GemmPacking"/> (every double-precision blocking too).</summary>
    Generic,
    /// <summary>The AVX float packers, <see cref="GemmPackingAvx2"/> (mr 6 or 8, nr 16 or 32).</summary>
    Avx,
    /// <summary>The portable Vector128 float packers, <see cref="GemmPacking128"/> (mr 4, nr 8).</summary>
    Vector128,
}
