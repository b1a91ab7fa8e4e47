using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>
/// Which processor a thread runs on, and moving a thread off one (Linux; elsewhere nothing is known and nothing moves).
/// </summary>
/// <remarks>
/// When another process keeps a core busy, Linux tends to wake a team's member on the core of the thread that woke it:
/// the other core is not idle, and the member last ran there. The two threads then share one core while the other
/// process has the other one, and two threads are slower than one. Measured on 2 Zen 3 cores beside a <c>nice 19</c>
/// busy loop, LeNet-5's training thread and its worker shared a core in 42-76% of samples. A member that finds itself
/// on the caller's core moves off it (<see cref="MoveOff"/>), onto a core where it outweighs the low-priority process.
/// </remarks>
internal static unsafe partial class CpuPlacement
{
    // 1,024 processors, as glibc's cpu_set_t.
    private const int MaskWords = 16;

    private static readonly bool Supported = OperatingSystem.IsLinux() && Probe();

    /// <summary>The processor the calling thread runs on, or -1 when unknown.</summary>
    public static int Current() => Supported ? sched_getcpu() : -1;

    /// <summary>
    /// Moves the calling thread off processor <paramref name="cpu"/>: narrows its affinity to the others (the kernel
    /// migrates it at once), then restores the affinity it had. False when that was not possible (one processor
    /// allowed, not Linux, or the system refuses affinity changes: then no later call tries again); the affinity is
    /// then unchanged.
    /// </summary>
    public static bool MoveOff(int cpu)
    {
        if (!Supported || _refused || cpu < 0 || cpu >= MaskWords * 64) return false;
        ulong* mask = stackalloc ulong[MaskWords];
        ulong* narrowed = stackalloc ulong[MaskWords];
        if (sched_getaffinity(0, MaskWords * sizeof(ulong), mask) != 0) return false;
        bool other = false;
        for (int i = 0; i < MaskWords; i++)
        {
            narrowed[i] = mask[i];
            if (i == cpu / 64) narrowed[i] &= ~(1UL << (cpu % 64));
            other |= narrowed[i] != 0;
        }
        if (!other) return false;
        if (sched_setaffinity(0, MaskWords * sizeof(ulong), narrowed) != 0)
        {
            _refused = true; // a sandbox (seccomp) or policy: two failing system calls per job would only cost
            return false;
        }
        if (sched_setaffinity(0, MaskWords * sizeof(ulong), mask) != 0)
        {
            // The narrowed affinity stays; leave placement alone from now on rather than narrow further.
            _refused = true;
            return false;
        }
        return true;
    }

    /// <summary>How many processors the calling thread may run on, or -1 when unknown.</summary>
    public static int AllowedCount()
    {
        if (!Supported) return -1;
        ulong* mask = stackalloc ulong[MaskWords];
        if (sched_getaffinity(0, MaskWords * sizeof(ulong), mask) != 0) return -1;
        int n = 0;
        for (int i = 0; i < MaskWords; i++) n += System.Numerics.BitOperations.PopCount(mask[i]);
        return n;
    }

    // Set once an affinity change was refused: no later call tries again.
    private static volatile bool _refused;

    private static bool Probe()
    {
        try { return sched_getcpu() >= 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int sched_getcpu();

    [LibraryImport("libc", EntryPoint = "sched_getaffinity")]
    private static partial int sched_getaffinity(int pid, nint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int sched_setaffinity(int pid, nint size, ulong* mask);
}
