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
/// `overlap`, run under mpirun: how much of the gradient communication backward hides. Training steps of a zoo model
/// (32 rows per rank, 1 thread) alternate between overlap on (each bucket's allreduce starts the moment backward has
/// filled it) and off (all start after backward), with a barrier before each step so that the ranks start together;
/// also the same buckets reduced alone. Per model the medians: backward, the wait after backward with and without
/// overlap, the communication alone, 1 − wait(on) / wait(off), and the share of the gradients whose allreduce had
/// completed when backward ended (overlap on). Usage: overlap [--steps N] [--models a,b].
/// </summary>
internal static class OverlapBench
{
    public static int Run(string[] args)
    {
        int steps = args.Length > 1 && args[0] == "--steps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        string[] models = args.SkipWhile(a => a != "--models").Skip(1).FirstOrDefault()?.Split(',') ?? ["mlp", "lenet", "cnn"];
        Threads.Max = 1;
        using var comm = MpiCommunicator.Initialize();
        var log = comm.Rank == 0 ? Console.Out : TextWriter.Null;
        log.WriteLine($"# overlap on {comm.Size} ranks, {comm.Description}, {steps} steps per mode, 32 rows per rank, 1 thread");
        log.WriteLine("| model | backward ms | wait, overlap on | wait, overlap off | communication alone | 1 - on/off | reduced before backward ended |");
        log.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var name in models)
        {
            Generator.ManualSeed(1);
            var model = ModelZoo.Create(name, new Generator(1));
            var x = Tensor.Rand([32, 1, 28, 28], new Generator((ulong)comm.Rank + 5));
            var labels = Enumerable.Range(0, 32).Select(i => i % 10).ToArray();
            var optimizer = new Adam(model.Parameters());
            var trainer = new Trainer(model, new CrossEntropy(), optimizer);
            var ddp = new DistributedDataParallel(comm);
            ddp.Attach(trainer, new TensorDataset(Tensor.Zeros([2, 1, 28, 28]), new int[2]));
            var buffers = ddp.BucketSizes.Select(n => GC.AllocateArray<float>(n, pinned: true)).ToArray();
            var backward = new List<double>();
            var wait = new[] { new List<double>(), new List<double>() };
            var alone = new List<double>();
            model.Train();
            var arena = new TensorArena();
            for (int s = 0; s < 2 * steps + 4; s++)
            {
                bool on = s % 2 == 0;
                if (s == 4) ddp.Statistics.Reset();
                ddp.Overlap = on;
                comm.Barrier();
                using (arena.Enter())
                {
                    var loss = trainer.Loss.Forward(model.Forward(x), labels);
                    optimizer.ZeroGrad(setToNone: false);
                    long t0 = Stopwatch.GetTimestamp();
                    ddp.BeforeBackward();
                    loss.Backward();
                    long t1 = Stopwatch.GetTimestamp();
                    ddp.AfterBackward();
                    long t2 = Stopwatch.GetTimestamp();
                    optimizer.Step();
                    if (s < 4) continue;   // warm-up
                    backward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                    wait[on ? 0 : 1].Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
                }
                if (!on)
                {
                    comm.Barrier();
                    long t = Stopwatch.GetTimestamp();
                    foreach (var r in buffers.Select(b => comm.StartAllReduceSum(b, 0, b.Length)).ToList()) r.Wait();
                    alone.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            }
            ddp.Detach();
            double on_ = Median(wait[0]), off = Median(wait[1]);
            log.WriteLine(FormattableString.Invariant($"| {name} | {Median(backward):F2} | {on_:F3} ms | {off:F3} ms | {Median(alone):F3} ms | {(off > 0 ? 1 - on_ / off : 0):P0} | {2 * ddp.Statistics.HiddenFraction:P0} |"));
            log.WriteLine(FormattableString.Invariant($"{{\"case\":\"overlap\",\"model\":\"{name}\",\"ranks\":{comm.Size},\"backward_ms\":{Median(backward):F3},\"wait_on_ms\":{on_:F4},\"wait_off_ms\":{off:F4},\"comm_ms\":{Median(alone):F4},\"hidden_fraction\":{2 * ddp.Statistics.HiddenFraction:F4}}}"));
        }
        return 0;
    }

    private static double Median(List<double> v)
    {
        var a = v.Order().ToArray();
        return a.Length == 0 ? double.NaN : a[a.Length / 2];
    }
}
