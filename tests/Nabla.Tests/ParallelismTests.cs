using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests;

public class ParallelismTests
{
    [Fact]
    public void ForVisitsEveryIndexOnce()
    {
        var hits = new int[1000];
        Parallelism.For(hits.Length, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void MaxThreadsRejectsZero()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = 0);
        Assert.Contains("MaxThreads", ex.Message);
    }
}
