using Nabla.Data;
using Nabla.Distributed.Tests.Support;
using Nabla.Errors;
using Nabla.Losses;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Distributed.Tests;

/// <summary>
/// <see cref="DistributedDataParallel"/> on threads as ranks (<see cref="InProcessCommunicator"/>): the same training
/// as one worker with the same global batch, identical replicas, and clear errors when the ranks disagree.
/// </summary>
public class DistributedDataParallelTests
{
    private const int Batch = 12, Epochs = 3;

    private static TensorDataset Data(int seed = 1)
    {
        var g = new Generator((ulong)seed);
        var x = Tensor.Randn([96, 10], g);
        var labels = Enumerable.Range(0, 96).Select(i => (x.GetFlat(i * 10) + x.GetFlat(i * 10 + 1) > 0 ? 1 : 0) + (x.GetFlat(i * 10 + 2) > 1 ? 1 : 0)).ToArray();
        return new TensorDataset(x, labels);
    }

    private static Module Model(int hidden = 16, bool batchNorm = false)
    {
        var m = ModelZoo.MLP([hidden], generator: new Generator(3), inputs: 10, classes: 3);
        return batchNorm ? new Sequential(new BatchNorm1d(10), m) : m;
    }

    /// <summary>Every step's loss (the whole global batch's on every rank) and size.</summary>
    private sealed class StepLog : Callback
    {
        public readonly List<(double Loss, int Size)> Steps = [];
        public override void OnBatchEnd(TrainingContext context, BatchResult batch) => Steps.Add((batch.Loss, batch.Size));
    }

    private static (float[] Weights, History History, float[] Buffers, DistributedStatistics? Stats, StepLog Log) Train(
        ICommunicator? comm, TensorDataset? data = null, Module? model = null, int bucketBytes = DistributedDataParallel.DefaultBucketBytes, int batch = Batch)
    {
        model ??= Model();
        var trainer = new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.1, momentum: 0.9));
        var ddp = comm is null ? null : new DistributedDataParallel(comm, bucketBytes);
        trainer.Synchronizer = ddp;
        var log = new StepLog();
        trainer.Callbacks.Add(log);
        var history = trainer.Fit(data ?? Data(), Epochs, batch, seed: 5);
        var weights = model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        var buffers = model.NamedBuffers().SelectMany(b => b.Buffer.ToArray()).ToArray();
        return (weights, history, buffers, ddp?.Statistics, log);
    }

    [Theory]
    [InlineData(2, DistributedDataParallel.DefaultBucketBytes)]
    [InlineData(3, 512 << 10)]   // one bucket for the whole model
    [InlineData(2, 256)]   // tiny buckets: one per parameter, most started during backward
    public void RanksTrainAsOneWorkerWithTheSameGlobalBatch(int ranks, int bucketBytes)
    {
        var alone = Train(null);
        var parallel = Ranks.RunAll(ranks, c => Train(c, bucketBytes: bucketBytes));
        foreach (var r in parallel) Assert.Equal(parallel[0].Weights, r.Weights);   // bit-identical replicas
        // float32 sums in another order: the weights after 24 steps agree to 1e-5, the epoch losses to 1e-6 (relative).
        for (int i = 0; i < alone.Weights.Length; i++) Assert.True(Math.Abs(alone.Weights[i] - parallel[0].Weights[i]) <= 1e-5, $"weight {i}: {alone.Weights[i]} vs {parallel[0].Weights[i]}");
        // The loss curve step by step: every rank reports the global batch's loss, within 1e-5 (relative) of one worker's.
        Assert.Equal(alone.Log.Steps.Count, parallel[0].Log.Steps.Count);
        for (int i = 0; i < alone.Log.Steps.Count; i++)
        {
            var (a, p) = (alone.Log.Steps[i], parallel[0].Log.Steps[i]);
            Assert.Equal(Batch, p.Size);
            Assert.True(Math.Abs(a.Loss - p.Loss) <= 1e-5 * Math.Abs(a.Loss), $"step {i + 1}: loss {a.Loss} alone, {p.Loss} on {ranks} ranks");
            Assert.All(parallel, r => Assert.Equal(p.Loss, r.Log.Steps[i].Loss));
        }
        for (int e = 0; e < Epochs; e++)
        {
            double a = alone.History.Epochs[e].Loss, p = parallel[0].History.Epochs[e].Loss;
            Assert.True(Math.Abs(a - p) <= 1e-6 * Math.Abs(a), $"epoch {e + 1}: loss {a} alone, {p} on {ranks} ranks");
            Assert.Equal(alone.History.Epochs[e].Accuracy, parallel[0].History.Epochs[e].Accuracy);
        }
        Assert.Equal(8 * Epochs, parallel[0].Stats!.Steps);
        if (bucketBytes == 256)
        {
            Assert.True(parallel[0].Stats!.BucketsStartedInBackward >= 3 * 8 * Epochs, "buckets start while backward runs");
            // The in-process reduction completes when it starts, and every bucket starts inside backward: all hidden.
            Assert.Equal(1.0, parallel[0].Stats!.HiddenFraction);
        }
    }

    [Fact]
    public void ReplicasStartFromRankZerosWeights()
    {
        var parallel = Ranks.RunAll(2, c => Train(c, model: ModelZoo.MLP([16], generator: new Generator((ulong)(10 + c.Rank)), inputs: 10, classes: 3)));
        Assert.Equal(parallel[0].Weights, parallel[1].Weights);
    }

    [Fact]
    public void BatchNormStatisticsAreEqualOnEveryRank()
    {
        var parallel = Ranks.RunAll(2, c => Train(c, model: Model(batchNorm: true)));
        Assert.NotEmpty(parallel[0].Buffers);
        Assert.Equal(parallel[0].Buffers, parallel[1].Buffers);
        Assert.Equal(parallel[0].Weights, parallel[1].Weights);
    }

    [Fact]
    public void AModelThatDiffersNamesTheRank() =>
        EveryRankFails(Ranks.Run(3, c => Train(c, model: Model(hidden: c.Rank == 2 ? 17 : 16))), "model differs", "rank 2 against rank 0");

    [Fact]
    public void DataThatDifferNameTheRank() =>
        EveryRankFails(Ranks.Run(2, c => Train(c, data: Data(seed: 1 + c.Rank))), "training data differ", "rank 1 against rank 0");

    private static void EveryRankFails<T>((T? Result, Exception? Error)[] results, params string[] phrases)
    {
        foreach (var (_, error) in results)
        {
            var e = Assert.IsType<DistributedException>(error);
            foreach (var phrase in phrases) Assert.Contains(phrase, e.Message);
        }
    }

    [Fact]
    public void AGlobalBatchThatDoesNotSplitEvenlyIsRefused()
    {
        var results = Ranks.Run(2, c => Train(c, batch: 13));
        var e = Assert.IsType<ValueException>(results[0].Error);
        Assert.Contains("13", e.Message);
        Assert.Contains("2 processes", e.Message);
    }

    [Fact]
    public void AFailingRankStopsTheOthers()
    {
        var results = Ranks.Run(2, c =>
        {
            if (c.Rank == 1) throw new InvalidOperationException("rank 1 failed");
            return Train(c);
        });
        Assert.IsType<InvalidOperationException>(results[1].Error);
        Assert.IsType<OperationCanceledException>(results[0].Error);
    }
}
