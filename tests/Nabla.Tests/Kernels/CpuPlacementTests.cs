using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// A team member that finds itself on its caller's core moves off it. On Linux with two or more processors (CI's
/// machine) the calling thread is moved and its affinity restored; with one allowed processor, or elsewhere, nothing
/// moves.
/// </summary>
public class CpuPlacementTests
{
    [Fact]
    public void MovingOffAProcessorMigratesTheThreadAndRestoresItsAffinity()
    {
        var done = new ManualResetEventSlim();
        Exception? failure = null;
        // On a thread of its own, so that the test runner's threads keep their placement.
        var thread = new Thread(() =>
        {
            try
            {
                if (!OperatingSystem.IsLinux())
                {
                    Assert.Equal(-1, CpuPlacement.Current());
                    Assert.False(CpuPlacement.MoveOff(0));
                    return;
                }
                int first = CpuPlacement.Current();
                Assert.InRange(first, 0, 1023);
                // One allowed processor (a cpuset, taskset): nowhere to move.
                int allowed = CpuPlacement.AllowedCount();
                if (allowed < 2)
                {
                    Assert.False(CpuPlacement.MoveOff(first));
                    return;
                }
                Assert.True(CpuPlacement.MoveOff(first));
                int second = CpuPlacement.Current();
                Assert.NotEqual(first, second);
                // Had the narrowed affinity stayed, a two-processor machine would leave no processor to move to.
                Assert.True(CpuPlacement.MoveOff(second));
                Assert.NotEqual(second, CpuPlacement.Current());
                // The affinity is the one the thread started with.
                Assert.Equal(allowed, CpuPlacement.AllowedCount());
                Assert.False(CpuPlacement.MoveOff(-1));
                Assert.False(CpuPlacement.MoveOff(1 << 20));
            }
            catch (Exception e) { failure = e; }
            finally { done.Set(); }
        });
        thread.Start();
        done.Wait();
        thread.Join();
        if (failure is not null) throw failure;
    }
}
