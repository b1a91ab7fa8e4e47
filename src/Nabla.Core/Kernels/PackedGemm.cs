using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// The blocked, packed GEMM driver (BLIS-style packing): B is packed in column blocks shared by the team, each thread
/// packs its own A blocks and sweeps micro-tiles, the B micro-panel in L1 and the A block in L2. The work is cut into
/// pieces fixed by the problem's shape alone, which the team's members claim from shared counters: whatever a delayed
/// member has not started is done by the others, and nobody waits except for a piece a member is busy with.
/// </summary>
/// <remarks>
/// Per column block of B (all of k, at most about a kc × nc block's worth of memory): first packing pieces (a depth
/// block of a few column panels each), then, once all are packed, tasks: a chunk of rows of C (a multiple of the
/// micro-tile's height) times a group of column panels, summing every depth block in turn. Two B buffers alternate, so
/// a member may pack the next column block while the others finish the previous one. A small A (a couple of A blocks)
/// is packed once, in the first block's pieces, and tasks read it in place. A B packed beforehand for many products
/// (<see cref="PackAllB"/>, <see cref="GemmPackedB{T}"/>) holds every column block in that layout: then there are no B
/// pieces and no buffer hand-over.
/// Every element of C sums its k products in the same order — depth blocks in turn, each in order inside the
/// micro-kernel — whoever computes it, whatever tile (full or edge) holds it. So results are bit-identical for any
/// thread count and any schedule.
/// One instance per calling thread holds the shared B buffers; A buffers belong to the threads that pack them.
/// </remarks>
internal sealed unsafe class PackedGemm<T> : ITeamJob where T : unmanaged, IFloatingPointIeee754<T>
{
    // Counters of a column block: pieces claimed, pieces packed, tasks claimed, tasks done, each on its own cache line.
    private const int PackNext = 0, PackDone = 16, TaskNext = 32, TaskDone = 48, CountersPerBlock = 64;
    // About this many elements per B packing piece (a few microseconds).
    private const int PackPieceElements = 8192;

    [ThreadStatic] private static PackedGemm<T>? t_instance;
    [ThreadStatic] private static PackBuffer? t_aBuffer;

    // A is packed once for the team when it is at most this many elements (of an A block's Mc × Kc): then tasks
    // neither pack A nor repeat its packing, and may be column groups of few rows.
    private const int SharedABlocks = 2;

    private readonly PackBuffer _bBuffer0 = new(), _bBuffer1 = new(), _aBuffer = new();
    private int[] _counters = new int[CountersPerBlock];
    private GemmBlocking<T> _blk;
    private bool _transA, _transB;
    private int _m, _n, _k, _kcStep, _kBlocks;
    private int _ncB, _colBlocks, _rowChunk, _rowTasks, _colGroups, _piecePanels;
    private nint _depthStride, _aDepthStride;
    private T _alpha, _beta;
    private T* _a, _b, _c, _bPack0, _bPack1, _aShared, _bPre;
    private nint _preBlockStride;
    private nint _lda, _ldb, _ldc;

    /// <summary>The team size of the last call on this thread (for tests).</summary>
    [ThreadStatic] internal static int LastTeamSize;

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C with the given blocking on up to <paramref name="threads"/> threads. Requires m, n, k ≥ 1.</summary>
    public static void Run(in GemmBlocking<T> blocking, int threads, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc)
        => Run(blocking, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, null, beta, c, ldc);

    /// <summary>
    /// As <see cref="Run(in GemmBlocking{T}, int, bool, bool, int, int, int, T, T*, nint, T*, nint, T, T*, nint)"/>, with
    /// op(B) already packed by <see cref="PackAllB"/> (same blocking, n and k) at <paramref name="bPrepacked"/> when not null:
    /// the same results, without packing B again.
    /// </summary>
    public static void Run(in GemmBlocking<T> blocking, int threads, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T* bPrepacked, T beta, T* c, nint ldc)
    {
        var job = t_instance ??= new PackedGemm<T>();
        job._bPre = bPrepacked;
        job.Plan(blocking, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        int team = WorkerPool.TryReserve(threads);
        LastTeamSize = team;
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

    // Cuts the problem into column blocks, packing pieces and tasks: from its shape and the blocking only.
    private void Plan(in GemmBlocking<T> blk, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc)
    {
        _blk = blk;
        _transA = transA;
        _transB = transB;
        _m = m;
        _n = n;
        _k = k;
        _alpha = alpha;
        _beta = beta;
        _a = a;
        _b = b;
        _c = c;
        _lda = lda;
        _ldb = ldb;
        _ldc = ldc;
        int mr = blk.Mr, nr = blk.Nr;
        _preBlockStride = BLayout(blk, n, k, out _kBlocks, out _kcStep, out _ncB, out _colBlocks, out _depthStride);
        int panelsMax = _ncB / nr;
        _piecePanels = Math.Max(1, PackPieceElements / (_kcStep * nr));
        // Depth blocks of a shared A are packed by different members; the AVX A packer may write 8 floats past its
        // block, so they sit 16 floats (64 bytes) apart.
        _aDepthStride = (nint)RoundUp(m, mr) * _kcStep + 16;
        if (_aDepthStride * _kBlocks <= (long)SharedABlocks * blk.Mc * blk.Kc)
        {
            // A small A, packed once for all: tasks are the fewest row chunks of at most an A block, times enough
            // column groups for about 8 tasks in all.
            int chunks = (m + blk.Mc - 1) / blk.Mc;
            _rowChunk = RoundUp((m + chunks - 1) / chunks, mr);
            _rowTasks = (m + _rowChunk - 1) / _rowChunk;
            _colGroups = Math.Clamp((8 + _rowTasks - 1) / _rowTasks, 1, panelsMax);
            _aShared = (T*)_aBuffer.Get((nint)sizeof(T) * (_aDepthStride * _kBlocks + 64));
        }
        else
        {
            // Each task packs its own rows: about 16 row chunks (at least four micro-tiles high, so that a B
            // micro-panel serves several, at most an A block); fewer than 4: column groups too.
            _rowChunk = Math.Clamp(RoundUp((m + 15) / 16, mr), Math.Min(4 * mr, RoundUp(m, mr)), blk.Mc);
            _rowTasks = (m + _rowChunk - 1) / _rowChunk;
            _colGroups = _rowTasks >= 4 ? 1 : Math.Clamp((8 + _rowTasks - 1) / _rowTasks, 1, Math.Max(1, panelsMax / 4));
            _aShared = null;
        }

        nint bBytes = (nint)sizeof(T) * _preBlockStride;
        _bPack0 = _bPre is null ? (T*)_bBuffer0.Get(bBytes) : null;
        _bPack1 = _bPre is null && _colBlocks > 1 ? (T*)_bBuffer1.Get(bBytes) : null;
        int counters = _colBlocks * CountersPerBlock;
        if (_counters.Length < counters) _counters = new int[counters];
        else Array.Clear(_counters, 0, counters);
    }

    /// <inheritdoc />
    public bool MembersOptional => true;

    /// <inheritdoc />
    public void Execute(int member, int teamSize)
    {
        ref readonly var blk = ref _blk;
        int nr = blk.Nr;
        var aBuffer = t_aBuffer ??= new PackBuffer();
        T* aPack = _aShared is null ? (T*)aBuffer.Get((nint)sizeof(T) * ((nint)_rowChunk * _kcStep + 64)) : null;
        T* tile = stackalloc T[blk.Mr * nr];
        int m = _m, n = _n, k = _k;
        int tasks = _rowTasks * _colGroups;
        var counters = _counters;

        for (int block = 0; block < _colBlocks; block++)
        {
            int jc = block * _ncB;
            int nc = Math.Min(_ncB, n - jc);
            int panels = (nc + nr - 1) / nr;
            T* bPack = _bPre is not null ? _bPre + block * _preBlockStride : (block & 1) == 0 ? _bPack0 : _bPack1;
            ref int at = ref counters[block * CountersPerBlock];
            // This buffer last held block - 2: its tasks must be over before it is packed again.
            if (block >= 2 && _bPre is null) TeamWait.Until(ref counters[(block - 2) * CountersPerBlock + TaskDone], tasks);

            // Pieces: with a shared A, the first block's first pieces pack A (a depth block each); then B's.
            int aPieces = block == 0 && _aShared is not null ? _kBlocks : 0;
            int piecesPerDepth = _bPre is not null ? 0 : (panels + _piecePanels - 1) / _piecePanels;
            int pieces = aPieces + piecesPerDepth * _kBlocks;
            int piece;
            while ((piece = Interlocked.Increment(ref Unsafe.Add(ref at, PackNext)) - 1) < pieces)
            {
                WorkerPool.Pause(member);
                if (piece < aPieces)
                {
                    int apc = piece * _kcStep;
                    PackA(0, m, apc, Math.Min(_kcStep, k - apc), _aShared + piece * _aDepthStride);
                    TeamWait.Advance(ref Unsafe.Add(ref at, PackDone));
                    continue;
                }
                piece -= aPieces;
                int depth = piece / piecesPerDepth, jp0 = piece % piecesPerDepth * _piecePanels;
                int pc = depth * _kcStep;
                PackB(pc, Math.Min(_kcStep, k - pc), jc, jp0, Math.Min(panels, jp0 + _piecePanels), nc, bPack + depth * _depthStride);
                TeamWait.Advance(ref Unsafe.Add(ref at, PackDone));
            }
            TeamWait.Until(ref Unsafe.Add(ref at, PackDone), pieces);

            int task;
            while ((task = Interlocked.Increment(ref Unsafe.Add(ref at, TaskNext)) - 1) < tasks)
            {
                WorkerPool.Pause(member);
                int ic = task / _colGroups * _rowChunk, group = task % _colGroups;
                int mc = Math.Min(_rowChunk, m - ic);
                int jp0 = panels * group / _colGroups, jp1 = panels * (group + 1) / _colGroups;
                for (int depth = 0; depth < _kBlocks; depth++)
                {
                    int pc = depth * _kcStep;
                    int kc = Math.Min(_kcStep, k - pc);
                    T* aBlock;
                    if (_aShared is null) PackA(ic, mc, pc, kc, aBlock = aPack);
                    else aBlock = _aShared + depth * _aDepthStride + (nint)ic * kc; // row panel ic / mr, kc × mr each
                    Macro(ic, mc, jc, nc, jp0, jp1, kc, aBlock, bPack + depth * _depthStride, depth == 0 ? _beta : T.One, tile);
                }
                TeamWait.Advance(ref Unsafe.Add(ref at, TaskDone));
            }
        }
    }

    private void PackA(int ic, int mc, int pc, int kc, T* dst)
    {
        if (typeof(T) == typeof(float) && _blk.Packer == GemmPacker.Avx)
            GemmPackingAvx2.PackA(_transA, (float*)_a, _lda, ic, mc, pc, kc, _blk.Mr, (float*)dst);
        else if (typeof(T) == typeof(float) && _blk.Packer == GemmPacker.Vector128)
            GemmPacking128.PackA(_transA, (float*)_a, _lda, ic, mc, pc, kc, (float*)dst);
        else
            GemmPacking.PackA(_transA, _a, _lda, ic, mc, pc, kc, _blk.Mr, dst);
    }

    // Packs column panels jp0..jp1 of the B block (rows pc.., columns jc..jc+nc) into bBase, panel jp at jp · kcStep · nr.
    private void PackB(int pc, int kc, int jc, int jp0, int jp1, int nc, T* bBase)
        => PackBPanels(_blk, _transB, _b, _ldb, _kcStep, pc, kc, jc, jp0, jp1, nc, bBase);

    private static void PackBPanels(in GemmBlocking<T> blk, bool transB, T* b, nint ldb, int kcStep, int pc, int kc, int jc,
        int jp0, int jp1, int nc, T* bBase)
    {
        int nr = blk.Nr;
        int j0 = jp0 * nr;
        int cols = Math.Min(nc, jp1 * nr) - j0;
        // Panels sit at a fixed stride (the largest kc), whatever the depth of the current block.
        nint stride = (nint)kcStep * nr;
        T* dst = bBase + jp0 * stride;
        if (typeof(T) == typeof(float) && blk.Packer == GemmPacker.Avx)
            GemmPackingAvx2.PackB(transB, (float*)b, ldb, pc, kc, jc + j0, cols, nr, stride, (float*)dst);
        else if (typeof(T) == typeof(float) && blk.Packer == GemmPacker.Vector128)
            GemmPacking128.PackB(transB, (float*)b, ldb, pc, kc, jc + j0, cols, stride, (float*)dst);
        else
            GemmPacking.PackB(transB, b, ldb, pc, kc, jc + j0, cols, nr, stride, dst);
    }

    // Sweeps micro-tiles: B micro-panels jp0..jp1 (outer, stays in L1) × the A panels of rows ic..ic+mc (inner, from L2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    // The packed B's geometry, from the blocking and the shape alone; returns the elements of one column block's buffer.
    private static nint BLayout(in GemmBlocking<T> blk, int n, int k, out int kBlocks, out int kcStep, out int ncB, out int colBlocks,
        out nint depthStride)
    {
        int nr = blk.Nr;
        // Balanced depth blocks: k = 784 with Kc = 256 gives 4 blocks of 196, not 3 × 256 + 16.
        kBlocks = (k + blk.Kc - 1) / blk.Kc;
        kcStep = (k + kBlocks - 1) / kBlocks;
        // A column block holds all of k for as many columns as a Kc × Nc block would.
        long budget = (long)blk.Kc * blk.Nc;
        int fit = (int)Math.Max(nr, budget / ((long)kcStep * kBlocks) / nr * nr);
        ncB = Math.Min(fit, RoundUp(n, nr));
        colBlocks = (n + ncB - 1) / ncB;
        depthStride = (nint)kcStep * (ncB / nr) * nr;
        return depthStride * kBlocks + 64;
    }

    /// <summary>Elements of the buffer that <see cref="PackAllB"/> fills for this blocking and shape.</summary>
    public static nint PackedBLength(in GemmBlocking<T> blk, int n, int k)
        => BLayout(blk, n, k, out _, out _, out _, out int colBlocks, out _) * colBlocks;

    /// <summary>
    /// Packs all of op(B) (k × n; b[p·ldb + j], or b[j·ldb + p] when <paramref name="transB"/>) into
    /// <paramref name="dst"/> (<see cref="PackedBLength"/> elements), every column block in the layout
    /// <see cref="Run(in GemmBlocking{T}, int, bool, bool, int, int, int, T, T*, nint, T*, nint, T*, T, T*, nint)"/> reads.
    /// </summary>
    public static void PackAllB(in GemmBlocking<T> blk, bool transB, int n, int k, T* b, nint ldb, T* dst)
    {
        nint blockStride = BLayout(blk, n, k, out int kBlocks, out int kcStep, out int ncB, out int colBlocks, out nint depthStride);
        int nr = blk.Nr;
        for (int block = 0; block < colBlocks; block++)
        {
            int jc = block * ncB, nc = Math.Min(ncB, n - jc);
            for (int depth = 0; depth < kBlocks; depth++)
            {
                int pc = depth * kcStep;
                PackBPanels(blk, transB, b, ldb, kcStep, pc, Math.Min(kcStep, k - pc), jc, 0, (nc + nr - 1) / nr, nc,
                    dst + block * blockStride + depth * depthStride);
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
