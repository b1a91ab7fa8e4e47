using Nabla.Kernels;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Long elementwise passes are split into chunks over the kernel threads: every element is the one a single thread
/// computes (bit for bit), whichever member runs its chunk, with the last chunk's partial vector and in place.
/// </summary>
[Collection(GemmCollection.Name)]
public class ChunkedJobTests
{
    // Three whole chunks and a ragged tail past the parallel threshold.
    private const int Length = Simd.ParallelElements + 3 * (1 << 14) + 13;

    [Fact]
    public void LongElementwisePassesOnTwoThreadsAreBitIdenticalToOneThread()
    {
        var rng = new Random(11);
        float[] x = Random(rng, Length, -5, 5), b = Random(rng, Length, -5, 5), dy = Random(rng, Length, -1, 1);
        float[][] one = Run(1, x, b, dy, out _);
        float[][] two = Run(2, x, b, dy, out int workerChunks);
        Assert.True(workerChunks > 0, "the worker ran no chunk: the pass was not split");
        for (int r = 0; r < one.Length; r++)
            for (int i = 0; i < Length; i++)
                if (BitConverter.SingleToInt32Bits(one[r][i]) != BitConverter.SingleToInt32Bits(two[r][i]))
                    Assert.Fail($"result {r}, element {i}: {one[r][i]} on one thread, {two[r][i]} on two");
        // And they are the right values: exp, a + b, and exp's backward dx = y · dy, in place.
        for (int i = 0; i < Length; i += 997)
        {
            Assert.Equal(Math.Exp(x[i]), one[0][i], Math.Exp(x[i]) * 2e-7);
            Assert.Equal(x[i] + b[i], one[1][i]);
            Assert.Equal(one[0][i] * dy[i], one[2][i], Math.Abs(one[0][i] * dy[i]) * 1e-6 + 1e-30);
        }
    }

    private static float[][] Run(int threads, float[] x, float[] b, float[] dy, out int workerChunks)
    {
        int keep = Threads.Max, chunks = 0, callerCalls = 0;
        try
        {
            Threads.Max = threads;
            if (threads > 1) PoolTestSupport.WaitForIdleWorker();
            // The caller is held on its first chunk so that the worker surely takes some.
            WorkerPool.TestDelay = member =>
            {
                if (member != 0) Interlocked.Increment(ref chunks);
                else if (Interlocked.Increment(ref callerCalls) == 1) Thread.Sleep(20);
            };
            var exp = new float[Length];
            var sum = new float[Length];
            Elementwise.Exp<float>(x, exp);
            Elementwise.Add<float>(x, b, sum);
            var grad = (float[])dy.Clone();
            Elementwise.Mul<float>(exp, grad, grad); // in place: y aliases an input
            workerChunks = chunks;
            return [exp, sum, grad];
        }
        finally
        {
            WorkerPool.TestDelay = null;
            Threads.Max = keep;
        }
    }

    private static float[] Random(Random rng, int n, double lo, double hi)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return v;
    }
}
