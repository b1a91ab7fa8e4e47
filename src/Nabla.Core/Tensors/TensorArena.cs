namespace Nabla.Tensors;

/// <summary>
/// Recycles tensor storage between repetitions of the same computation (training steps), so that a steady-state
/// training loop allocates no new arrays and the garbage collector has nothing to do.
/// </summary>
/// <remarks>
/// <para>While a scope from <see cref="Enter"/> is active on a thread, every tensor that operations on that thread
/// create gets its storage from the arena. When the scope ends, all of that storage returns to the arena and is handed
/// out again by later scopes: the tensors created inside are then <b>dead</b>. Using one afterwards (reading its values,
/// running an operation on it) throws an exception naming the problem; it never silently sees another tensor's data.</para>
/// <para>To keep a tensor beyond the scope, call <see cref="Tensor.Keep"/> on it (or copy it after the scope ends).
/// Storage that obviously outlives a step is kept automatically: gradients of leaves (<see cref="Tensor.Grad"/>).
/// Tensors created before the scope (parameters, data sets, batches) are never affected.</para>
/// <para><see cref="Nabla.Tensors.Tensor"/>'s autograd engine also returns the gradients of intermediate results to
/// the arena as soon as backward has consumed them, so one step needs little more than its activations.</para>
/// <para>An arena belongs to one thread at a time (the one inside its scope); operations that kernels run on worker
/// threads do not use it. Storage is matched by exact length, which suits the fixed shapes of training steps; at most
/// <see cref="MaxRetainedBytes"/> of idle storage is held, the rest is left to the garbage collector.</para>
/// <code>
/// var arena = new TensorArena();
/// foreach (var batch in loader)
/// {
///     using (arena.Enter())
///     {
///         var loss = lossFn.Forward(model.Forward(batch.Features), batch.Labels!);
///         optimizer.ZeroGrad(setToNone: false);
///         loss.Backward();
///         optimizer.Step();
///     }
/// }
/// </code>
/// </remarks>
public sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? _current;

    private readonly Dictionary<(int Length, DType DType), Stack<ArenaBlock>> _free = [];
    private readonly List<ArenaBlock> _rented = [];
    private TensorArena? _previous;
    private int _ownerThread;   // managed thread id inside a scope, 0 outside
    private long _freeBytes;

    /// <summary>The arena whose scope is active on the calling thread, or null.</summary>
    public static TensorArena? Current => _current;

    /// <summary>The most idle storage, in bytes, kept for reuse (default 512 MiB).</summary>
    public long MaxRetainedBytes { get; set; } = 512L << 20;

    /// <summary>Bytes of idle storage held for reuse.</summary>
    public long RetainedBytes => _freeBytes;

    /// <summary>Arrays allocated because no idle one of the right length was available (a steady state stops adding to it).</summary>
    public long Allocations { get; private set; }

    /// <summary>
    /// Starts a scope on the calling thread: tensors created until it is disposed use the arena's storage and die at its end.
    /// Scopes of different arenas nest; one arena has at most one active scope.
    /// </summary>
    public Scope Enter()
    {
        if (_ownerThread != 0)
            throw new InvalidOperationException("TensorArena: a scope of this arena is already active (arenas do not nest in themselves and belong to one thread at a time)");
        _ownerThread = Environment.CurrentManagedThreadId;
        _previous = _current;
        _current = this;
        return new Scope(this);
    }

    private void Exit()
    {
        if (_ownerThread != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException("TensorArena: a scope must end on the thread that started it");
        _current = _previous;
        _previous = null;
        _ownerThread = 0;
        foreach (var block in _rented)
            if (block.InUse) Recycle(block);
        _rented.Clear();
    }

    /// <summary>Storage for <paramref name="length"/> elements, zeroed when <paramref name="clear"/>.</summary>
    internal ArenaBlock Rent(int length, DType dtype, bool clear)
    {
        ArenaBlock block;
        if (_free.TryGetValue((length, dtype), out var stack) && stack.Count > 0)
        {
            block = stack.Pop();
            _freeBytes -= block.Bytes;
            if (clear) Array.Clear(block.Data);
        }
        else
        {
            block = new ArenaBlock(DTypeDispatch.Allocate(dtype, length), dtype, this);
            Allocations++;
        }
        block.InUse = true;
        _rented.Add(block);
        return block;
    }

    /// <summary>
    /// Returns <paramref name="t"/>'s storage to the arena before the scope ends, when the caller knows that nothing
    /// references it any more (the backward engine, for consumed gradients). Ignored for other storage.
    /// </summary>
    internal static void ReleaseEarly(Tensor t)
    {
        var block = t._block;
        var arena = _current;
        if (block is null || arena is null || !block.InUse || block.Kept || !arena.Owns(block)) return;
        arena.Recycle(block);
    }

    private bool Owns(ArenaBlock block) => ReferenceEquals(block.Arena, this);

    private void Recycle(ArenaBlock block)
    {
        block.InUse = false;
        if (block.Kept) return;
        block.Lease++;
        if (_freeBytes + block.Bytes > MaxRetainedBytes) return; // let the collector have it
        if (!_free.TryGetValue((block.Data.Length, block.DType), out var stack))
            _free[(block.Data.Length, block.DType)] = stack = new Stack<ArenaBlock>();
        stack.Push(block);
        _freeBytes += block.Bytes;
    }

    /// <summary>The active period of an arena on one thread; disposing it recycles the storage rented during it.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly TensorArena? _arena;

        internal Scope(TensorArena arena) => _arena = arena;

        /// <summary>Ends the scope: every tensor created in it (and not kept) dies and its storage is reused.</summary>
        public void Dispose() => _arena?.Exit();
    }
}

/// <summary>One array handed out by a <see cref="TensorArena"/>, with the lease that tells live tensors from dead ones.</summary>
internal sealed class ArenaBlock(Array data, DType dtype, TensorArena arena)
{
    public readonly Array Data = data;
    public readonly DType DType = dtype;

    /// <summary>The arena that rents it out.</summary>
    public readonly TensorArena Arena = arena;

    /// <summary>Incremented whenever the storage is recycled; tensors remember the value they were created under.</summary>
    public int Lease;

    /// <summary>Rented and not yet returned.</summary>
    public bool InUse;

    /// <summary>Exempt from recycling for good (<see cref="Tensor.Keep"/>).</summary>
    public bool Kept;

    public long Bytes => (long)Data.Length * DTypeDispatch.SizeOf(DType);

    public void Keep() => Kept = true;
}
