using System.Diagnostics;

namespace Nabla.Kernels;

/// <summary>
/// How team members wait for each other without spinning against a descheduled partner: a waiter spins with pause
/// instructions (never yielding, which would hand its core to whatever else is runnable for a whole time slice) for
/// a few tens of microseconds, then blocks until a member reports progress, leaving its core to the partner.
/// </summary>
/// <remarks>
/// Progress is a counter that only grows; members advance it through <see cref="Advance"/>. One gate serves every
/// team: the pool runs one team at a time, and a waiter woken for another counter's progress just waits again.
/// </remarks>
internal static class TeamWait
{
    private static readonly object Gate = new();
    private static readonly long SpinTicks = Stopwatch.Frequency / 40000; // about 25 µs
    private static int _blocked;

    /// <summary>
    /// Stopwatch ticks this thread has spent waiting in <see cref="Until"/> since it last reset the count: the pool
    /// compares a caller's waits with its work to tell whether its team helped.
    /// </summary>
    [ThreadStatic] internal static long WaitedTicks;

    /// <summary>Returns once <paramref name="counter"/> has reached <paramref name="target"/>, adding the time waited to <see cref="WaitedTicks"/>.</summary>
    public static void Until(ref int counter, int target)
    {
        if (Volatile.Read(ref counter) >= target) return;
        long start = Stopwatch.GetTimestamp();
        try
        {
            do
            {
                Thread.SpinWait(8);
                if (Volatile.Read(ref counter) >= target) return;
            }
            while (Stopwatch.GetTimestamp() - start < SpinTicks);
            Block(ref counter, target);
        }
        finally
        {
            WaitedTicks += Stopwatch.GetTimestamp() - start;
        }
    }

    private static void Block(ref int counter, int target)
    {
        // Announce the block before the last look (both sides use full fences), so a signal is never missed; the
        // timeout is only a backstop.
        Interlocked.Increment(ref _blocked);
        try
        {
            lock (Gate)
                while (Volatile.Read(ref counter) < target) Monitor.Wait(Gate, 2);
        }
        finally
        {
            Interlocked.Decrement(ref _blocked);
        }
    }

    /// <summary>Advances <paramref name="counter"/> by one (a full fence) and wakes blocked waiters, if any.</summary>
    public static void Advance(ref int counter)
    {
        Interlocked.Increment(ref counter);
        if (Volatile.Read(ref _blocked) == 0) return;
        lock (Gate) Monitor.PulseAll(Gate);
    }
}
