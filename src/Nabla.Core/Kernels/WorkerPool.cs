using System.Diagnostics;

namespace Nabla.Kernels;

/// <summary>
/// Persistent background threads that run <see cref="ITeamJob"/>s together with the calling thread.
/// One job at a time: a caller that finds the pool busy (another caller, or a job calling back into it)
/// runs its job alone, with a team of one. Idle workers spin briefly, then sleep on a semaphore. The caller waits for
/// its team through <see cref="TeamWait"/> (a short spin, then blocking), never yielding its core to other processes.
/// </summary>
internal static class WorkerPool
{
    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public ITeamJob? Job;
        public int Member;
        public int TeamSize;
        public int Ticket;
        public int Sleeping;
        public int Claim; // per dispatch: 0 posted, 1 taken by the worker, 2 withdrawn by the caller
    }

    private static readonly object GrowLock = new();
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // about 200 µs of spinning before sleeping
    private static Worker[] _workers = [];
    // Teams that did not pay make the next jobs run on the caller alone for a while: over the recent jobs (sums that
    // decay with a time constant of DecayTicks) the caller waited for its members (one descheduled by the operating
    // system while holding work, because another process wants the core) at least half as long as it worked, so one
    // thread would have been about as fast. The while doubles after each further such job and the count halves after
    // each job that paid. Only a job with a wait of a millisecond or more can trigger it: a member descheduled for a
    // time slice, not one that was asleep and took tens of microseconds to wake (counting those sent a quiet LeNet
    // training to one thread about once every ten steps). The sums keep one slice lost now and then (a nice-19 process
    // beside the run gets its turn on a core every few dozen milliseconds) from sending every next job to one thread:
    // judged job by job, that made LeNet-5's 2-thread steps 2.52-2.88 ms against 2.37-2.69 ms with no adapting at all
    // (1 thread: 3.64-4.06 ms; Zen 3, 1,000 steps).
    private static readonly long SoloTicks = Stopwatch.Frequency / 125;      // 8 ms, up to 32 × that
    private static readonly long MinWaitTicks = Stopwatch.Frequency / 1000;  // 1 ms: shorter waits never count
    private static readonly double DecayTicks = Stopwatch.Frequency / 20.0;  // 50 ms
    private static long _soloUntil;
    // Decaying sums of the caller's work and waits over recent team jobs, and when they were last updated (the caller
    // updates them, one job at a time).
    private static double _recentWork, _recentWaited;
    private static long _lastWeighed;
    // An option, off by default: while the runtime compiles methods (tier-0 code promoted to optimized code on the
    // JIT's background thread), team jobs run on the caller alone until no method has been compiled for JitQuietTicks,
    // leaving the JIT a core. Measured on 2 Zen 3 cores, it did not pay: beside a nice-19 busy loop the first MLP epoch
    // at 2 threads took 1.30-1.38 s with it and 1.15-1.42 s without (1 thread 1.23-1.25), LeNet-5's 2.94-3.14 s with
    // and 2.70-2.94 s without (1 thread 3.54); on a quiet machine the first 300 MLP batches ran 1.49-1.69 s per epoch
    // with it, 1.35-1.67 without; and it sent whole GEMM benchmark cases to one thread (128^3 at 2 threads: 67
    // GFLOP/s against 120-149 without it).
    private static readonly long JitQuietTicks = Stopwatch.Frequency / 50; // 20 ms
    private static long _jitCount, _jitChanged;

    /// <summary>
    /// True when team jobs run alone while the runtime compiles methods (default false: measured not to pay, see above).
    /// </summary>
    internal static bool YieldToJit { get; set; }

    /// <summary>True while the runtime has compiled a method within the last 20 ms.</summary>
    private static bool JitBusy() => JitBusy(System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false), Stopwatch.GetTimestamp());

    /// <summary><see cref="JitBusy()"/> for a compiled-method count and a stopwatch time (tests feed their own).</summary>
    internal static bool JitBusy(long count, long now)
    {
        if (count != Volatile.Read(ref _jitCount))
        {
            Volatile.Write(ref _jitCount, count);
            Volatile.Write(ref _jitChanged, now);
            return true;
        }
        return now - Volatile.Read(ref _jitChanged) < JitQuietTicks;
    }
    private static int _unpaid;
    private static int _busy;
    // The processor the caller ran on when it posted the current job (-1: unknown).
    private static int _callerCpu = -1;
    private static int _finished;
    private static Exception? _error;

    /// <summary>
    /// Tries to reserve the pool for a team of up to <paramref name="requested"/> threads.
    /// Returns the team size granted: 1 means the caller must run the job alone and must not call <see cref="RunReserved"/>.
    /// </summary>
    public static int TryReserve(int requested)
    {
        if (requested <= 1) return 1;
        if (Adaptive && (Stopwatch.GetTimestamp() < Volatile.Read(ref _soloUntil) || (YieldToJit && JitBusy()))) return 1;
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return 1;
        if (_workers.Length < requested - 1) Grow(requested - 1);
        return Math.Min(requested, _workers.Length + 1);
    }

    /// <summary>
    /// Test hook: when set, a worker calls it with its member number before it starts its part of a job, and team jobs
    /// call it through <see cref="Pause"/> after each member (the caller too) claims work, to simulate a member the
    /// operating system has descheduled.
    /// </summary>
    internal static Action<int>? TestDelay;

    /// <summary>Runs <see cref="TestDelay"/> for a member (0 is the caller) when a test has set it; free otherwise.</summary>
    public static void Pause(int member) => TestDelay?.Invoke(member);

    /// <summary>
    /// True (the default) when a long wait for a member makes the following jobs run alone for a while; tests that need
    /// a team of a given size turn it off.
    /// </summary>
    internal static bool Adaptive { get; set; } = true;

    /// <summary>
    /// Weighs a team job that just ended: the caller worked for <paramref name="work"/> and waited for its members for
    /// <paramref name="waited"/> stopwatch ticks. When it waited a millisecond or more and the recent team jobs did not
    /// pay (their waits, this one's included, add up to at least half their work), the next jobs go to the caller alone
    /// for a while; a job that paid shortens that.
    /// </summary>
    internal static void Weigh(long work, long waited) => Weigh(work, waited, Stopwatch.GetTimestamp());

    /// <summary>As <see cref="Weigh(long, long)"/>, at time <paramref name="now"/> (stopwatch ticks; tests pass their own).</summary>
    internal static void Weigh(long work, long waited, long now)
    {
        double decay = Math.Exp(-(now - _lastWeighed) / DecayTicks);
        _lastWeighed = now;
        _recentWork = _recentWork * decay + work;
        _recentWaited = _recentWaited * decay + waited;
        if (waited >= MinWaitTicks && 2 * _recentWaited >= _recentWork)
        {
            Interlocked.Increment(ref _unpaidJobs);
            int n = Math.Min(Volatile.Read(ref _unpaid) + 1, 6);
            Volatile.Write(ref _unpaid, n);
            Volatile.Write(ref _soloUntil, Stopwatch.GetTimestamp() + (SoloTicks << (n - 1)));
        }
        else if (Volatile.Read(ref _unpaid) > 0) Volatile.Write(ref _unpaid, Volatile.Read(ref _unpaid) / 2);
    }

    private static long _unpaidJobs;
    private static long _moves;

    /// <summary>How many times a member found itself on the caller's core and moved off it.</summary>
    internal static long Moves => Interlocked.Read(ref _moves);
    private static PoolStats _stats;

    /// <summary>What the pool did so far: team jobs, members withdrawn, the caller's work and waits (for benchmarks; written only by the caller that holds the pool).</summary>
    internal static PoolStats Stats => _stats;

    /// <summary>Counts of <see cref="RunReserved"/>: team jobs, members withdrawn unstarted, and the caller's work and wait in stopwatch ticks.</summary>
    internal struct PoolStats
    {
        public long TeamJobs, Withdrawn, WorkTicks, WaitedTicks;

        /// <inheritdoc/>
        public override readonly string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{TeamJobs} team jobs, {Withdrawn} members withdrawn, caller worked {WorkTicks * 1e3 / Stopwatch.Frequency:F1} ms and waited {WaitedTicks * 1e3 / Stopwatch.Frequency:F1} ms");
    }

    /// <summary>How many team jobs so far did not pay and sent the following ones to the caller alone (for benchmarks and tests).</summary>
    internal static long UnpaidJobs => Interlocked.Read(ref _unpaidJobs);

    /// <summary>True while team jobs run on the caller alone (for tests).</summary>
    internal static bool Solo => Stopwatch.GetTimestamp() < Volatile.Read(ref _soloUntil);

    /// <summary>Ends a while of solo jobs and forgets the jobs that did not pay (for tests).</summary>
    internal static void ResetSolo()
    {
        Volatile.Write(ref _soloUntil, 0);
        Volatile.Write(ref _unpaid, 0);
        _recentWork = _recentWaited = 0;
    }

    /// <summary>Frees the pool reserved by <see cref="TryReserve"/> (call once, after <see cref="RunReserved"/>).</summary>
    public static void Release() => Volatile.Write(ref _busy, 0);

    /// <summary>Runs <paramref name="job"/> on a team of <paramref name="team"/> threads reserved by <see cref="TryReserve"/>; the pool stays reserved.</summary>
    public static void RunReserved(ITeamJob job, int team)
    {
        _error = null;
        Volatile.Write(ref _finished, 0);
        Volatile.Write(ref _callerCpu, CpuPlacement.Current());
        var workers = _workers;
        for (int w = 0; w < team - 1; w++)
        {
            var worker = workers[w];
            worker.Job = job;
            worker.Member = w + 1;
            worker.TeamSize = team;
            Volatile.Write(ref worker.Claim, 0);
            Volatile.Write(ref worker.Ticket, worker.Ticket + 1);
            if (Interlocked.Exchange(ref worker.Sleeping, 0) == 1) worker.Wake.Release();
        }
        Exception? own = null;
        long start = Stopwatch.GetTimestamp(), waitedBefore = TeamWait.WaitedTicks;
        try { job.Execute(0, team); }
        catch (Exception e) { own = e; }
        // A job whose members are optional is done once the caller's part returns: workers that have not started yet
        // (asleep, or not scheduled) are withdrawn instead of waited for.
        if (job.MembersOptional)
            for (int w = 0; w < team - 1; w++)
                if (Interlocked.CompareExchange(ref workers[w].Claim, 2, 0) == 0)
                {
                    TeamWait.Advance(ref _finished);
                    _stats.Withdrawn++;
                }
        TeamWait.Until(ref _finished, team - 1);
        long waited = TeamWait.WaitedTicks - waitedBefore;
        _stats.TeamJobs++;
        _stats.WaitedTicks += waited;
        _stats.WorkTicks += Stopwatch.GetTimestamp() - start - waited;
        if (Adaptive) Weigh(Stopwatch.GetTimestamp() - start - waited, waited);
        for (int w = 0; w < team - 1; w++) workers[w].Job = null;
        var error = own ?? _error;
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Runs <paramref name="job"/> on a team of up to <paramref name="requested"/> threads (fewer when the pool is busy).</summary>
    public static void Run(ITeamJob job, int requested)
    {
        int team = TryReserve(requested);
        if (team == 1)
        {
            job.Execute(0, 1);
            return;
        }
        try { RunReserved(job, team); }
        finally { Release(); }
    }

    private static void Grow(int count)
    {
        lock (GrowLock)
        {
            if (_workers.Length >= count) return;
            var grown = new Worker[count];
            Array.Copy(_workers, grown, _workers.Length);
            for (int i = _workers.Length; i < count; i++)
            {
                var worker = new Worker();
                grown[i] = worker;
                var thread = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"Nabla worker {i + 1}" };
                thread.Start();
            }
            _workers = grown;
        }
    }

    private static void Loop(Worker worker)
    {
        int seen = 0;
        while (true)
        {
            if (Volatile.Read(ref worker.Ticket) == seen) WaitForTicket(worker, seen);
            seen = Volatile.Read(ref worker.Ticket);
            Pause(worker.Member);
            if (Interlocked.CompareExchange(ref worker.Claim, 1, 0) != 0) continue; // withdrawn (or already run)
            // Woken onto the caller's core (another process has the other one): two threads would share one core.
            int caller = Volatile.Read(ref _callerCpu);
            if (caller >= 0 && CpuPlacement.Current() == caller && CpuPlacement.MoveOff(caller)) Interlocked.Increment(ref _moves);
            var job = worker.Job!;
            try { job.Execute(worker.Member, worker.TeamSize); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            TeamWait.Advance(ref _finished);
        }
    }

    private static void WaitForTicket(Worker worker, int seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref worker.Ticket) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            // Sleep: announce it, then look once more so that a ticket published meanwhile is not missed.
            Volatile.Write(ref worker.Sleeping, 1);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref worker.Ticket) != seen)
            {
                // The publisher may already have cleared the flag; then it released (or will release) the semaphore.
                if (Interlocked.Exchange(ref worker.Sleeping, 0) == 0) worker.Wake.Wait();
                return;
            }
            worker.Wake.Wait();
            start = Stopwatch.GetTimestamp();
        }
    }
}
