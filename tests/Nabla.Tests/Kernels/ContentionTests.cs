using System.Diagnostics;
using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Scheduling under contention: a worker the operating system delays (simulated through the pool's test hook) neither
/// changes a bit of the result nor holds the caller up for work it has not started; tiny products stay on the calling thread.
/// </summary>
[Collection(GemmCollection.Name)]
public class ContentionTests
{
    private const int DelayMs = 1500;

    public static TheoryData<bool, bool, int, int, int> Shapes() => new()
    {
        { false, false, 300, 300, 300 },  // many rows: row chunks, one column block
        { false, true, 64, 256, 784 },    // few rows
        { false, false, 96, 256, 784 },   // a shared A of whole micro-panels in three depth blocks, packed by different members
        { true, false, 20, 3000, 50 },    // very few rows: column groups too
        { false, false, 200, 5000, 700 }, // several column blocks (two B buffers alternate)
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WorkerDelayedBeforeItStartsLeavesTheWholeProductToTheCaller(bool transA, bool transB, int m, int n, int k)
    {
        // Delay the worker's first hook call (before it takes its part of the job): the caller must do everything
        // itself and return without waiting for it.
        var (single, team, elapsed) = RunDelayed(transA, transB, m, n, k, delayedMember: 1, delayedCall: 1);
        AssertSameBits(single, team);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(DelayMs / 2), $"the caller waited {elapsed.TotalMilliseconds:F0} ms for a worker that had not started");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WorkerDelayedWhileHoldingAPieceStillGivesTheSameBits(bool transA, bool transB, int m, int n, int k)
    {
        // Delay the worker right after it has claimed its first piece of work (a packing piece): the others wait for that
        // piece only, and the result is the same.
        var (single, team, _) = RunDelayed(transA, transB, m, n, k, delayedMember: 1, delayedCall: 2, delayMs: 30);
        AssertSameBits(single, team);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CallerDelayedWhileHoldingAPieceStillGivesTheSameBits(bool transA, bool transB, int m, int n, int k)
    {
        // Delay the caller on its first piece (a shared A's first depth block, or a B piece) while the worker packs the
        // next ones: pieces packed out of order must not overwrite each other.
        var (single, team, _) = RunDelayed(transA, transB, m, n, k, delayedMember: 0, delayedCall: 1, delayMs: 30);
        AssertSameBits(single, team);
    }

    [Fact]
    public void ParallelForFinishesWithoutAWorkerThatHasNotStarted()
    {
        int saved = Threads.Max;
        int calls = 0;
        WorkerPool.Adaptive = false;
        WorkerPool.TestDelay = member => { if (member != 0 && Interlocked.Increment(ref calls) == 1) Thread.Sleep(DelayMs); };
        try
        {
            Threads.Max = 2;
            var hits = new int[10_000];
            var watch = Stopwatch.StartNew();
            Parallelism.For(hits.Length, hits, static (h, i) => Interlocked.Increment(ref h[i]));
            watch.Stop();
            Assert.All(hits, h => Assert.Equal(1, h));
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(DelayMs / 2), $"the loop waited {watch.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            WorkerPool.TestDelay = null;
            WorkerPool.Adaptive = true;
            Threads.Max = saved;
        }
    }

    [Fact]
    public void ATeamThatWaitedForADelayedWorkerSendsTheNextProductsToOneThread()
    {
        var rng = new Random(3);
        int m = 64, n = 256, k = 784;
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c = new float[m * n];
        int saved = Threads.Max;
        int calls = 0;
        try
        {
            Threads.Max = 2;
            WorkerPool.ResetSolo();
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Assert.Equal(2, PackedGemm<float>.LastTeamSize);
            PoolTestSupport.WaitForIdleWorker();
            // The caller is held 20 ms on its first piece, so the worker surely claims one; the worker is then held 200 ms on
            // that piece: the caller waits for it far longer than it worked, so the team did not pay.
            int callerCalls = 0;
            WorkerPool.TestDelay = member =>
            {
                if (member == 0 && Interlocked.Increment(ref callerCalls) == 1) Thread.Sleep(20);
                else if (member != 0 && Interlocked.Increment(ref calls) == 2) Thread.Sleep(200);
            };
            long unpaid = WorkerPool.UnpaidJobs;
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Assert.Equal(2, PackedGemm<float>.LastTeamSize);
            Assert.Equal(unpaid + 1, WorkerPool.UnpaidJobs);
            Assert.True(WorkerPool.Solo);
            WorkerPool.TestDelay = null;
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Assert.Equal(1, PackedGemm<float>.LastTeamSize);
        }
        finally
        {
            WorkerPool.TestDelay = null;
            WorkerPool.ResetSolo();
            Threads.Max = saved;
        }
    }

    [Theory]
    [InlineData(10000, 0, false)]    // no wait at all
    [InlineData(10000, 4000, false)] // waited less than half its work: the team paid
    [InlineData(10000, 5000, true)]  // waited half as long as it worked: one thread would have been as fast
    [InlineData(20, 900, false)]     // waits under 1 ms never count (a member woken late, not one descheduled)
    [InlineData(100, 5000, true)]
    public void AJobThatWaitedAtLeastHalfAsLongAsItWorkedDidNotPay(int workMicroseconds, int waitedMicroseconds, bool solo)
    {
        try
        {
            WorkerPool.ResetSolo();
            WorkerPool.Weigh(Ticks(workMicroseconds), Ticks(waitedMicroseconds));
            Assert.Equal(solo, WorkerPool.Solo);
        }
        finally
        {
            WorkerPool.ResetSolo();
        }
    }

    [Fact]
    public void OneSliceLostAmongManyJobsThatPaidKeepsTheTeam()
    {
        // A low-priority process gets its turn on a core now and then: one 3 ms wait after 50 ms of work that paid is
        // not a reason to send the next jobs to one thread; waits that add up to half the recent work are.
        try
        {
            WorkerPool.ResetSolo();
            // All at one instant, so that nothing decays in between, whatever the test host's pauses.
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < 200; i++) WorkerPool.Weigh(Ticks(250), 0, now);
            WorkerPool.Weigh(Ticks(250), Ticks(3000), now);
            Assert.False(WorkerPool.Solo);
            for (int i = 0; i < 12; i++) WorkerPool.Weigh(Ticks(250), Ticks(3000), now);
            Assert.True(WorkerPool.Solo);
        }
        finally
        {
            WorkerPool.ResetSolo();
        }
    }

    private static long Ticks(int microseconds) => microseconds * Stopwatch.Frequency / 1_000_000;

    [Theory]
    [InlineData(32, 32, 32, 1)]   // 65,536 flops: the calling thread alone
    [InlineData(64, 64, 64, 1)]   // 524,288 flops: still below the threshold
    [InlineData(128, 64, 64, 2)]  // 1,048,576 flops: a team
    public void TinyProductsRunOnTheCallingThread(int m, int n, int k, int expectedTeam)
    {
        int saved = Threads.Max;
        WorkerPool.Adaptive = false;
        try
        {
            Threads.Max = 2;
            var rng = new Random(5);
            var a = Random(rng, m * k);
            var b = Random(rng, k * n);
            var c = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Assert.Equal(expectedTeam, PackedGemm<float>.LastTeamSize);
            Assert.Equal(2L * m * n * k >= Gemm.ParallelFlops ? 2 : 1, expectedTeam);
        }
        finally
        {
            WorkerPool.Adaptive = true;
            Threads.Max = saved;
        }
    }

    [Fact]
    public void TheJitCountsAsBusyFor20MillisecondsAfterEachCompiledMethod()
    {
        long ms = Stopwatch.Frequency / 1000, t0 = Stopwatch.GetTimestamp();
        Assert.True(WorkerPool.JitBusy(-10, t0));            // a count not seen before: a method was just compiled
        Assert.True(WorkerPool.JitBusy(-10, t0 + 19 * ms));  // nothing new, but within 20 ms of the last change
        Assert.False(WorkerPool.JitBusy(-10, t0 + 21 * ms)); // quiet for 20 ms
        Assert.True(WorkerPool.JitBusy(-9, t0 + 22 * ms));   // another method
        Assert.False(WorkerPool.JitBusy(-9, t0 + 43 * ms));
    }

    [Fact]
    public void WhileTheJitCompilesTeamJobsRunOnTheCaller()
    {
        var yielded = WorkerPool.YieldToJit;
        try
        {
            WorkerPool.YieldToJit = true;
            WorkerPool.ResetSolo();
            // Compile a method that has never run: the runtime's compiled-method count moves, so the next team is refused.
            var method = new System.Reflection.Emit.DynamicMethod("JustCompiled", typeof(int), Type.EmptyTypes);
            var il = method.GetILGenerator();
            il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4, 42);
            il.Emit(System.Reflection.Emit.OpCodes.Ret);
            Assert.Equal(42, method.CreateDelegate<Func<int>>()());
            int team = WorkerPool.TryReserve(2);
            if (team > 1) WorkerPool.Release();
            Assert.Equal(1, team);
        }
        finally
        {
            WorkerPool.YieldToJit = yielded;
            WorkerPool.ResetSolo();
        }
    }

    private static (float[] Single, float[] Team, TimeSpan Elapsed) RunDelayed(bool transA, bool transB, int m, int n, int k,
        int delayedMember, int delayedCall, int delayMs = DelayMs)
    {
        var rng = new Random(m * 7 + n + k);
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c0 = Random(rng, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        int saved = Threads.Max;
        int calls = 0;
        WorkerPool.Adaptive = false;
        try
        {
            Threads.Max = 1;
            var single = (float[])c0.Clone();
            Gemm.Sgemm(transA, transB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, single, n);
            Threads.Max = 2;
            // Warm up the pool and the code, then arm the hook for one call.
            var team = (float[])c0.Clone();
            Gemm.Sgemm(transA, transB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, team, n);
            c0.CopyTo(team, 0);
            WorkerPool.TestDelay = member =>
            {
                if ((member == 0) == (delayedMember == 0) && Interlocked.Increment(ref calls) == delayedCall) Thread.Sleep(delayMs);
            };
            var watch = Stopwatch.StartNew();
            Gemm.Sgemm(transA, transB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, team, n);
            watch.Stop();
            Assert.Equal(2, PackedGemm<float>.LastTeamSize);
            return (single, team, watch.Elapsed);
        }
        finally
        {
            WorkerPool.TestDelay = null;
            WorkerPool.Adaptive = true;
            Threads.Max = saved;
        }
    }

    private static void AssertSameBits(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"element {i}: {expected[i]} with 1 thread, {actual[i]} with a delayed worker");
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
