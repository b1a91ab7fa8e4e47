using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// `allreduce`, run under mpirun: the time of one in-place float32 sum over all ranks (MPI_Iallreduce then MPI_Wait,
/// the calls data-parallel training makes) against message size, 4 B to 16 MiB, and for each zoo model the time of one
/// step's gradient buckets reduced back to back with nothing to hide them. Rank 0 prints a table and JSON lines
/// (<c>{"case":"allreduce","bytes",...,"us","gbps"}</c>); the median of the repetitions.
/// </summary>
internal static class AllReduceBench
{
    public static int Run(string[] args)
    {
        using var comm = MpiCommunicator.Initialize();
        var log = comm.Rank == 0 ? Console.Out : TextWriter.Null;
        log.WriteLine($"# allreduce on {comm.Size} ranks, {comm.Description}, {Environment.GetEnvironmentVariable("NABLA_BENCH_TRANSPORT") ?? "default transport"}");
        log.WriteLine("| bytes | median µs | bus GB/s |");
        log.WriteLine("| ---: | ---: | ---: |");
        for (int floats = 1; floats <= 4 << 20; floats *= 4)
        {
            var buffer = GC.AllocateArray<float>(floats, pinned: true);
            double us = Median(comm, floats >= 1 << 20 ? 10 : 100, () => comm.StartAllReduceSum(buffer, 0, floats).Wait());
            // A ring allreduce moves 2(p-1)/p of the message through each rank's link: the "bus bandwidth".
            double gbps = 2.0 * (comm.Size - 1) / comm.Size * floats * 4 / (us * 1e-6) / 1e9;
            log.WriteLine(FormattableString.Invariant($"| {floats * 4} | {us:F1} | {gbps:F3} |"));
            log.WriteLine(FormattableString.Invariant($"{{\"case\":\"allreduce\",\"ranks\":{comm.Size},\"bytes\":{floats * 4},\"us\":{us:F2},\"gbps\":{gbps:F4}}}"));
        }
        foreach (var name in new[] { "mlp", "lenet", "cnn" })
        {
            var buckets = Buckets(comm, name);
            double us = Median(comm, 30, () =>
            {
                var requests = buckets.Select(b => comm.StartAllReduceSum(b, 0, b.Length)).ToList();
                foreach (var r in requests) r.Wait();
            });
            log.WriteLine(FormattableString.Invariant($"{{\"case\":\"step_buckets\",\"model\":\"{name}\",\"ranks\":{comm.Size},\"buckets\":[{string.Join(",", buckets.Select(b => b.Length))}],\"us\":{us:F1}}}"));
        }
        return 0;
    }

    /// <summary>The gradient buckets DistributedDataParallel makes for a zoo model (pinned buffers of their sizes).</summary>
    private static float[][] Buckets(ICommunicator comm, string name)
    {
        var model = ModelZoo.Create(name, new Generator(1));
        var ddp = new DistributedDataParallel(comm);
        var data = new TensorDataset(Tensor.Zeros([2, 1, 28, 28]), new int[2]);
        ddp.Attach(new Trainer(model, new CrossEntropy(), new Adam(model.Parameters())), data);
        ddp.Detach();
        return ddp.BucketSizes.Select(n => GC.AllocateArray<float>(n, pinned: true)).ToArray();
    }

    /// <summary>The median time of <paramref name="body"/> in microseconds, every rank starting together.</summary>
    private static double Median(ICommunicator comm, int reps, Action body)
    {
        for (int i = 0; i < 3; i++) body();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            comm.Barrier();
            long t = Stopwatch.GetTimestamp();
            body();
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        // Every rank's own median, then the slowest rank's: a collective ends when its last rank does.
        Array.Sort(times);
        var all = new double[comm.Size];
        all[comm.Rank] = times[reps / 2];
        comm.AllReduceSum(all);
        return all.Max();
    }
}
