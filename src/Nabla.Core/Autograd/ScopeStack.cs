using Nabla.Errors;

namespace Nabla.Autograd;

/// <summary>
/// The open scopes of one kind (no-grad, anomaly detection) on one thread, innermost last. Each scope carries a token
/// unique on its thread, its depth and its thread, so that ending it checks that it is the innermost open scope of the
/// thread that opened it: a scope ended twice, out of order or on another thread throws instead of leaving the mode
/// switched for the rest of the thread's life.
/// </summary>
/// <remarks>Held in a <see cref="ThreadStaticAttribute"/> field and mutated in place, so opening a scope allocates
/// nothing once the stack has grown to the nesting depth in use.</remarks>
internal struct ScopeStack
{
    private long[]? _open;  // tokens of the open scopes, outermost first
    private long _issued;   // tokens handed out on this thread; 0 is never one (the default scope)

    /// <summary>The number of open scopes.</summary>
    public int Depth;

    /// <summary>Opens a scope on the calling thread and returns its token; its depth is then <see cref="Depth"/>.</summary>
    public long Push()
    {
        _open ??= new long[4];
        if (Depth == _open.Length) Array.Resize(ref _open, 2 * Depth);
        long token = ++_issued;
        _open[Depth++] = token;
        return token;
    }

    /// <summary>
    /// Ends the scope <paramref name="token"/> opened at <paramref name="depth"/> on thread <paramref name="thread"/>.
    /// Nothing changes when it throws.
    /// </summary>
    /// <param name="kind">The kind of scope, for messages (e.g. <c>GradMode.NoGrad</c>).</param>
    /// <param name="token">The scope's token from <see cref="Push"/>.</param>
    /// <param name="depth">The scope's depth (1 for an outermost scope).</param>
    /// <param name="thread">The managed id of the thread that opened it.</param>
    /// <exception cref="AutogradException">The scope was opened on another thread, is already ended, or has inner scopes still open.</exception>
    public void Pop(string kind, long token, int depth, int thread)
    {
        int current = Environment.CurrentManagedThreadId;
        if (current != thread)
            throw new AutogradException($"{kind} scope disposed on thread {current} but opened on thread {thread}; a scope must end on the thread that opened it (an 'await' inside its using block can resume on another thread)");
        if (depth < 1 || depth > Depth || _open![depth - 1] != token)
            throw new AutogradException($"{kind} scope disposed twice: it had already ended ({Depth} scope(s) of this kind open on thread {current})");
        if (depth < Depth)
            throw new AutogradException($"{kind} scope disposed out of order: {Depth - depth} inner scope(s) opened inside it {(Depth - depth == 1 ? "is" : "are")} still open; end the innermost first (using blocks do)");
        Depth--;
    }
}
