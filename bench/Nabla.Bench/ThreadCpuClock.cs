using System.Runtime.InteropServices;

namespace Nabla.Bench;

/// <summary>The calling thread's CPU time (Linux clock_gettime): single-thread timings that ignore preemption on a busy machine.</summary>
internal static unsafe partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    public static bool Enabled { get; set; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* timespec);

    public static double Seconds()
    {
        long* ts = stackalloc long[2];
        ClockGetTime(ClockThreadCpuTime, ts);
        return ts[0] + ts[1] * 1e-9;
    }
}
