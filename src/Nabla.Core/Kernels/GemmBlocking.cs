namespace Nabla.Kernels;

/// <summary>
/// The shape of one packed GEMM: micro-tile (mr × nr), cache blocks (mc × kc of A in L2, kc × nc of B in L3),
/// the micro-kernel, and which packer its single-precision operands use.
/// </summary>
internal readonly unsafe struct GemmBlocking<T> where T : unmanaged
{
    /// <summary>Rows of the micro-tile.</summary>
    public readonly int Mr;
    /// <summary>Columns of the micro-tile.</summary>
    public readonly int Nr;
    /// <summary>Rows of a packed A block (a multiple of <see cref="Mr"/>).</summary>
    public readonly int Mc;
    /// <summary>Largest depth of one packed block.</summary>
    public readonly int Kc;
    /// <summary>Columns of a packed B block (a multiple of <see cref="Nr"/>).</summary>
    public readonly int Nc;
    /// <summary>The micro-kernel: (kc, packed A, packed B, C, ldc, alpha, beta).</summary>
    public readonly delegate*<int, T*, T*, T*, nint, T, T, void> Kernel;
    /// <summary>The packer of single-precision operands (<see cref="GemmPacker.Generic"/> for double).</summary>
    public readonly GemmPacker Packer;

    /// <summary>Creates a blocking.</summary>
    public GemmBlocking(int mr, int nr, int mc, int kc, int nc, delegate*<int, T*, T*, T*, nint, T, T, void> kernel, GemmPacker packer)
    {
        Mr = mr;
        Nr = nr;
        Mc = mc;
        Kc = kc;
        Nc = nc;
        Kernel = kernel;
        Packer = packer;
    }
}
