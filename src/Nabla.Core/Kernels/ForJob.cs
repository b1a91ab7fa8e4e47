namespace Nabla.Kernels;

/// <summary>The team job behind <see cref="Parallelism.For{TState}"/>: members take indices from a shared counter.</summary>
internal sealed class ForJob<TState> : ITeamJob where TState : class
{
    /// <summary>One instance per state type; safe because the pool runs one job at a time.</summary>
    public static readonly ForJob<TState> Shared = new();

    private int _next;
    private int _count;
    private TState? _state;
    private Action<TState, int>? _body;

    /// <summary>Sets the loop to run next.</summary>
    public void Set(int count, TState state, Action<TState, int> body)
    {
        _next = 0;
        _count = count;
        _state = state;
        _body = body;
    }

    /// <summary>Forgets the state and body so that they can be collected.</summary>
    public void Clear()
    {
        _state = null;
        _body = null;
    }

    /// <inheritdoc />
    public bool MembersOptional => true;

    /// <inheritdoc />
    public void Execute(int member, int teamSize)
    {
        var state = _state!;
        var body = _body!;
        int count = _count;
        // Indices are taken in runs (about eight per member) so that a loop over many small items does not make the
        // members fight over the counter's cache line for every index.
        int run = Math.Max(1, count / (8 * teamSize));
        int start;
        while ((start = Interlocked.Add(ref _next, run) - run) < count)
        {
            int end = Math.Min(count, start + run);
            for (int i = start; i < end; i++) body(state, i);
        }
    }
}
