using Nabla.Kernels;
using Nabla.Tensors;
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
    public void ThreadsMaxRejectsZero()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Threads.Max = 0);
        Assert.Contains("Threads.Max", ex.Message);
    }
}
