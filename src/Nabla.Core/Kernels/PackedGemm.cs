using System.Numerics;

namespace Nabla.Kernels;

/// <summary>
/// The blocked, packed GEMM driver (BLIS loop order): for each kc × nc block of B, packed once, each thread packs
/// mc × kc blocks of A and sweeps micro-tiles, the B micro-panel in L1 and the A block in L2. Threads split the rows of
/// C (B block shared, packed together between barriers) or, when C has few rows, its columns (all private, no barrier).
/// </summary>
/// <remarks>
/// Threads split the output only (rows of C, or columns when C has few rows); every element of C sums its k
/// products in the same order — kc blocks in turn, each in order inside the micro-kernel — whatever the team size
/// and whatever tile (full or edge) holds it. So results are bit-identical for any thread count.
/// One instance per calling thread holds the shared B buffer; private A and B buffers belong to the threads that pack them.
/// </remarks>
internal sealed unsafe class PackedGemm<T> : ITeamJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static PackedGemm<T>? t_instance;
    [ThreadStatic] private static PackBuffer? t_aBuffer;
    [ThreadStatic] private static PackBuffer? t_bBuffer;

    private readonly PackBuffer _bBuffer = new();
    private readonly SpinBarrier _barrier = new();
    private GemmBlocking<T> _blk;
    private bool _transA, _transB, _splitColumns;
    private int _m, _n, _k, _kcStep;
    private T _alpha, _beta;
    private T* _a, _b, _c, _bPack;
    private nint _lda, _ldb, _ldc;

    /// <summary>The team size of the last call on this thread (for tests).</summary>
    [ThreadStatic] internal static int LastTeamSize;

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C with the given blocking on up to <paramref name="threads"/> threads. Requires m, n, k ≥ 1.</summary>
    public static void Run(in GemmBlocking<T> blocking, int threads, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc)
    {
        var job = t_instance ??= new PackedGemm<T>();
        job._blk = blocking;
        job._transA = transA;
        job._transB = transB;
        job._m = m;
        job._n = n;
        job._k = k;
        job._alpha = alpha;
        job._beta = beta;
        job._a = a;
        job._b = b;
        job._c = c;
        job._lda = lda;
        job._ldb = ldb;
        job._ldc = ldc;
        // Balanced depth blocks: k = 784 with Kc = 256 gives 4 blocks of 196, not 3 × 256 + 16.
        int kBlocks = (k + blocking.Kc - 1) / blocking.Kc;
        job._kcStep = (k + kBlocks - 1) / kBlocks;
        // Few rows: each thread takes its own columns and packs its own B (no barrier); A is packed by each, which costs
        // about 2/n of the work. Many rows: rows are split, B is packed once for the team (two barriers per block).
        job._splitColumns = m <= blocking.Mc || (m <= 4 * blocking.Mc && n >= 8 * blocking.Nr);
        if (!job._splitColumns)
        {
            int ncMax = Math.Min(blocking.Nc, RoundUp(n, blocking.Nr));
            job._bPack = (T*)job._bBuffer.Get((nint)sizeof(T) * ((nint)job._kcStep * ncMax + 64));
        }

        int team = WorkerPool.TryReserve(threads);
        LastTeamSize = team;
        job._barrier.Reset(team);
        if (team == 1)
        {
            job.Execute(0, 1);
            return;
        }
        try
        {
            WorkerPool.RunReserved(job, team);
        }
        finally
        {
            WorkerPool.Release();
        }
    }

    /// <inheritdoc />
    public void Execute(int member, int teamSize)
    {
        ref readonly var blk = ref _blk;
        int mr = blk.Mr, nr = blk.Nr;
        var aBuffer = t_aBuffer ??= new PackBuffer();
        T* aPack = (T*)aBuffer.Get((nint)sizeof(T) * ((nint)blk.Mc * _kcStep + 64));
        T* tile = stackalloc T[mr * nr];
        int m = _m, n = _n, k = _k;

        if (_splitColumns)
        {
            // Each thread owns a contiguous range of column panels of C and packs its B (and all of A) privately.
            var (cp0, cp1) = Split((n + nr - 1) / nr, member, teamSize);
            if (cp0 == cp1) return;
            int colEnd = Math.Min(n, cp1 * nr);
            var bBuffer = t_bBuffer ??= new PackBuffer();
            T* bOwn = (T*)bBuffer.Get((nint)sizeof(T) * ((nint)_kcStep * Math.Min(blk.Nc, (cp1 - cp0) * nr) + 64));
            for (int jc = cp0 * nr; jc < colEnd; jc += blk.Nc)
            {
                int nc = Math.Min(blk.Nc, colEnd - jc);
                int panels = (nc + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += _kcStep)
                {
                    int kc = Math.Min(_kcStep, k - pc);
                    T beta = pc == 0 ? _beta : T.One;
                    PackB(pc, kc, jc, 0, panels, nc, bOwn);
                    for (int ic = 0; ic < m; ic += blk.Mc)
                    {
                        int mc = Math.Min(blk.Mc, m - ic);
                        PackA(ic, mc, pc, kc, aPack);
                        Macro(ic, mc, jc, nc, 0, panels, kc, aPack, bOwn, beta, tile);
                    }
                }
            }
            return;
        }

        // Rows split: the team packs each B block together (shared), then each thread sweeps its own rows.
        for (int jc = 0; jc < n; jc += blk.Nc)
        {
            int nc = Math.Min(blk.Nc, n - jc);
            int panels = (nc + nr - 1) / nr;
            var (jp0, jp1) = Split(panels, member, teamSize);
            int rowPanels = (m + mr - 1) / mr;
            var (ip0, ip1) = Split(rowPanels, member, teamSize);
            int rowEnd = Math.Min(m, ip1 * mr);
            for (int pc = 0; pc < k; pc += _kcStep)
            {
                int kc = Math.Min(_kcStep, k - pc);
                T beta = pc == 0 ? _beta : T.One;
                if (jp0 < jp1) PackB(pc, kc, jc, jp0, jp1, nc, _bPack);
                _barrier.SignalAndWait(); // B block complete
                for (int ic = ip0 * mr; ic < rowEnd; ic += blk.Mc)
                {
                    int mc = Math.Min(blk.Mc, rowEnd - ic);
                    PackA(ic, mc, pc, kc, aPack);
                    Macro(ic, mc, jc, nc, 0, panels, kc, aPack, _bPack, beta, tile);
                }
                _barrier.SignalAndWait(); // everyone done with this B block
            }
        }
    }

    private void PackA(int ic, int mc, int pc, int kc, T* dst)
    {
        if (typeof(T) == typeof(float) && _blk.SimdPacking)
            GemmPackingAvx2.PackA(_transA, (float*)_a, _lda, ic, mc, pc, kc, _blk.Mr, (float*)dst);
        else
            GemmPacking.PackA(_transA, _a, _lda, ic, mc, pc, kc, _blk.Mr, dst);
    }

    // Packs column panels jp0..jp1 of the B block (rows pc.., columns jc..jc+nc) into bBase, panel jp at jp · kcStep · nr.
    private void PackB(int pc, int kc, int jc, int jp0, int jp1, int nc, T* bBase)
    {
        int nr = _blk.Nr;
        int j0 = jp0 * nr;
        int cols = Math.Min(nc, jp1 * nr) - j0;
        // Panels sit at a fixed stride (the largest kc), whatever the depth of the current block.
        nint stride = (nint)_kcStep * nr;
        T* dst = bBase + jp0 * stride;
        if (typeof(T) == typeof(float) && _blk.SimdPacking)
            GemmPackingAvx2.PackB(_transB, (float*)_b, _ldb, pc, kc, jc + j0, cols, nr, stride, (float*)dst);
        else
            GemmPacking.PackB(_transB, _b, _ldb, pc, kc, jc + j0, cols, nr, stride, dst);
    }

    // Sweeps micro-tiles: B micro-panels jp0..jp1 (outer, stays in L1) × the A panels of rows ic..ic+mc (inner, from L2).
    private void Macro(int ic, int mc, int jc, int nc, int jp0, int jp1, int kc, T* aPack, T* bPack, T beta, T* tile)
    {
        int mr = _blk.Mr, nr = _blk.Nr;
        var kernel = _blk.Kernel;
        T alpha = _alpha;
        nint ldc = _ldc;
        for (int jp = jp0; jp < jp1; jp++)
        {
            T* bp = bPack + (nint)jp * _kcStep * nr;
            int j = jp * nr;
            int cols = Math.Min(nr, nc - j);
            T* cCol = _c + jc + j;
            for (int ip = 0; ip * mr < mc; ip++)
            {
                T* ap = aPack + (nint)ip * kc * mr;
                int i = ic + ip * mr;
                int rows = Math.Min(mr, mc - ip * mr);
                T* cp = cCol + i * ldc;
                if (rows == mr && cols == nr)
                {
                    kernel(kc, ap, bp, cp, ldc, alpha, beta);
                    continue;
                }
                // Edge tile: run the same kernel on a copy, so the arithmetic is that of a full tile.
                if (beta != T.Zero)
                    for (int r = 0; r < rows; r++)
                        for (int cc = 0; cc < cols; cc++) tile[r * nr + cc] = cp[r * ldc + cc];
                kernel(kc, ap, bp, tile, nr, alpha, beta);
                for (int r = 0; r < rows; r++)
                    for (int cc = 0; cc < cols; cc++) cp[r * ldc + cc] = tile[r * nr + cc];
            }
        }
    }

    private static (int Start, int End) Split(int count, int member, int teamSize)
        => ((int)((long)count * member / teamSize), (int)((long)count * (member + 1) / teamSize));

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
