namespace Nabla.Kernels;

/// <summary>A reusable barrier for the members of one team; spins (then yields) instead of blocking.</summary>
internal sealed class SpinBarrier
{
    private int _size = 1;
    private int _remaining = 1;
    private int _phase;

    /// <summary>Prepares the barrier for a team of <paramref name="size"/> members; call before the team starts.</summary>
    public void Reset(int size)
    {
        _size = size;
        _remaining = size;
        _phase = 0;
    }

    /// <summary>Returns once every member of the team has called it (for this phase).</summary>
    public void SignalAndWait()
    {
        if (_size == 1) return;
        int phase = Volatile.Read(ref _phase);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _size;
            Volatile.Write(ref _phase, phase + 1);
            return;
        }
        var spinner = new SpinWait();
        while (Volatile.Read(ref _phase) == phase) spinner.SpinOnce(-1);
    }
}
