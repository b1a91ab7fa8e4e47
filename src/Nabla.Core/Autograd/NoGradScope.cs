namespace Nabla.Autograd;

/// <summary>
/// The scope returned by <see cref="GradMode.NoGrad"/>; disposing it turns recording back on (unless an outer
/// no-grad scope is still open). It remembers its thread and depth: dispose it once, on the thread that opened it,
/// after the scopes opened inside it (a <c>using</c> block does all three).
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly long _token;
    private readonly int _depth, _thread;

    internal NoGradScope(long token, int depth, int thread) => (_token, _depth, _thread) = (token, depth, thread);

    /// <summary>Ends the scope. A default-constructed scope (not from <see cref="GradMode.NoGrad"/>) does nothing.</summary>
    /// <exception cref="Errors.AutogradException">The scope already ended, an inner no-grad scope is still open, or this is not the thread that opened it.</exception>
    public void Dispose()
    {
        if (_token != 0) GradMode.ExitNoGrad(_token, _depth, _thread);
    }
}
