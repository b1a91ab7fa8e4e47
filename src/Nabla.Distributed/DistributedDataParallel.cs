using System.Diagnostics;
using Nabla.Data;
using Nabla.NN;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>
/// Data-parallel training as PyTorch's DistributedDataParallel: set it as a <see cref="Trainer"/>'s
/// <see cref="Trainer.Synchronizer"/> on every rank and each rank trains its share of every global batch
/// (<see cref="Shard"/>), with gradients averaged over all ranks before each optimizer step.
/// </summary>
/// <remarks>
/// <para><b>Start.</b> <see cref="Attach"/> checks that every rank trains the same model (parameter names and shapes,
/// optimizer, batch size) on the same data (a SHA-256 of the training set), naming the ranks that differ, then
/// broadcasts rank 0's parameters and buffers, so all replicas start equal (also after a resume).</para>
/// <para><b>Overlap.</b> Parameters are grouped into buckets of about <see cref="BucketBytes"/>, in reverse order
/// (the last layers' gradients are ready first), the same on every rank. A <see cref="Tensors.Tensor.GradReadyHook"/>
/// copies each gradient into its bucket the moment backward has completed it; a full bucket starts a non-blocking
/// allreduce (MPI_Iallreduce) at once, while backward goes on through earlier layers. <see cref="AfterBackward"/> starts
/// what is left, waits for all buckets and writes the average (sum × 1/size) back into the gradients.</para>
/// <para><b>Buffers.</b> Batch-norm running statistics are averaged over the ranks at the end of every epoch, before
/// validation and checkpoints (training-mode batch norm normalizes with each rank's own batch statistics, as PyTorch's
/// BatchNorm under DDP does; only the running estimates used for evaluation need to agree).</para>
/// <para><b>Checks.</b> At the end of every epoch the ranks compare a SHA-256 of their parameters and buffers and stop
/// with an error if any differs from rank 0's.</para>
/// </remarks>
public sealed class DistributedDataParallel : IGradientSynchronizer
{
    private readonly ICommunicator _comm;
    private GradientBucket[] _buckets = [];
    private readonly List<Parameter> _hooked = [];
    private int _nextToStart;
    private Trainer? _trainer;
    private long _backwardStart;
    private bool _armed;

    /// <summary>
    /// The default bucket size, 128 KiB (32,768 gradients): small enough that even LeNet-5's 61,706 parameters make two
    /// buckets, so that one is reduced while backward still runs; large enough that a bucket's allreduce costs far more
    /// than MPI's per-message latency (about 3 µs in shared memory here, see bench/README.md).
    /// </summary>
    public const int DefaultBucketBytes = 128 << 10;

    /// <summary>Creates the synchronizer over <paramref name="communicator"/>.</summary>
    /// <param name="communicator">The ranks (MPI_COMM_WORLD, or an in-process group in tests).</param>
    /// <param name="bucketBytes">Target size of a gradient bucket in bytes (a parameter larger than it gets a bucket of its own).</param>
    public DistributedDataParallel(ICommunicator communicator, int bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, 4);
        _comm = communicator;
        BucketBytes = bucketBytes;
    }

    /// <summary>The ranks.</summary>
    public ICommunicator Communicator => _comm;

    /// <summary>Target size of a gradient bucket in bytes.</summary>
    public int BucketBytes { get; }

    /// <inheritdoc/>
    public DataShard Shard => new(_comm.Rank, _comm.Size);

    /// <summary>The sizes of the gradient buckets in elements, in the order they are reduced (after <see cref="Attach"/>).</summary>
    public IReadOnlyList<int> BucketSizes => _buckets.Select(b => b.Buffer.Length).ToArray();

    /// <summary>
    /// Start each bucket's allreduce as soon as backward has completed it (true, the default), or only after backward
    /// (false: no overlap; the same result, for measuring what the overlap saves).
    /// </summary>
    public bool Overlap { get; set; } = true;

    /// <summary>Where each epoch's weight hash is written, one line per epoch and rank (null: nowhere).</summary>
    public TextWriter? Trace { get; set; }

    /// <summary>Timings of the steps so far (for the benchmark: how much communication backward hides).</summary>
    public DistributedStatistics Statistics { get; } = new();

    /// <summary>The SHA-256 of the parameters and buffers at the end of the last epoch (hex), equal on every rank.</summary>
    public string? WeightsHash { get; private set; }

    /// <inheritdoc/>
    public void Attach(Trainer trainer, TensorDataset train)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(train);
        _trainer = trainer;
        var parameters = trainer.Model.Parameters().Where(p => p.RequiresGrad).ToList();
        if (parameters.FirstOrDefault(p => p.Data.DType != Tensors.DType.Float32) is { } p64)
            throw new DistributedException($"rank {_comm.Rank}: distributed training averages float32 gradients; parameter '{p64.Name}' is {p64.Data.DType}");
        ReplicaCheck.Compare(_comm, ReplicaCheck.ModelDigest(trainer), ReplicaCheck.DataDigest(train, trainer.Loader?.BatchSize ?? 0));
        ReplicaCheck.BroadcastWeights(_comm, trainer.Model);
        _buckets = MakeBuckets(parameters);
        for (int b = 0; b < _buckets.Length; b++)
            for (int s = 0; s < _buckets[b].Parameters.Length; s++)
            {
                var (bucket, slot) = (_buckets[b], s);
                var p = bucket.Parameters[slot];
                p.Data.GradReadyHook = _ => OnGradientReady(bucket, slot);
                _hooked.Add(p);
            }
    }

    /// <summary>Buckets of about <see cref="BucketBytes"/> in reverse parameter order: the order gradients become ready.</summary>
    private GradientBucket[] MakeBuckets(List<Parameter> parameters)
    {
        int capacity = Math.Max(1, BucketBytes / sizeof(float));
        var buckets = new List<GradientBucket>();
        var current = new List<Parameter>();
        int size = 0;
        for (int i = parameters.Count - 1; i >= 0; i--)
        {
            var p = parameters[i];
            if (current.Count > 0 && size + p.Numel > capacity)
            {
                buckets.Add(new GradientBucket(current));
                current = [];
                size = 0;
            }
            current.Add(p);
            size += p.Numel;
        }
        if (current.Count > 0) buckets.Add(new GradientBucket(current));
        return [.. buckets];
    }

    /// <inheritdoc/>
    public void BeforeBackward()
    {
        _nextToStart = 0;
        foreach (var b in _buckets) b.Reset();
        _armed = true;
        _backwardStart = Stopwatch.GetTimestamp();
    }

    private void OnGradientReady(GradientBucket bucket, int slot)
    {
        if (!_armed || bucket.Filled[slot]) return;   // a backward pass outside the trainer's step is not reduced
        bucket.Fill(slot);
        if (!Overlap) return;
        // Start complete buckets in their fixed order, so every rank issues the same collectives in the same order.
        while (_nextToStart < _buckets.Length && _buckets[_nextToStart].Complete)
        {
            Start(_buckets[_nextToStart++]);
            Statistics.BucketsStartedInBackward++;
        }
        // Open MPI progresses a non-blocking collective only inside MPI calls: give the ones in flight a turn.
        for (int i = 0; i < _nextToStart; i++) _buckets[i].Request?.Test();
    }

    private void Start(GradientBucket b) => b.Request = _comm.StartAllReduceSum(b.Buffer, 0, b.Buffer.Length);

    /// <inheritdoc/>
    public void AfterBackward()
    {
        _armed = false;
        long end = Stopwatch.GetTimestamp();
        // The buckets whose reduction already finished while backward ran: communication backward hid completely.
        for (int i = 0; i < _nextToStart; i++)
            if (_buckets[i].Request!.Test()) Statistics.HiddenElements += _buckets[i].Buffer.Length;
        foreach (var b in _buckets) Statistics.ReducedElements += b.Buffer.Length;
        for (; _nextToStart < _buckets.Length; _nextToStart++)
        {
            var b = _buckets[_nextToStart];
            for (int s = 0; s < b.Parameters.Length; s++)   // parameters this step did not reach: zeros
                if (!b.Filled[s]) b.Fill(s);
            Start(b);
        }
        float scale = 1f / _comm.Size;
        foreach (var b in _buckets)
        {
            b.Request!.Wait();
            b.Unpack(scale);
        }
        long done = Stopwatch.GetTimestamp();
        Statistics.Add(Stopwatch.GetElapsedTime(_backwardStart, end), Stopwatch.GetElapsedTime(end, done));
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) => _comm.AllReduceSum(values);

    /// <inheritdoc/>
    public void OnEpochEnd(int epoch)
    {
        var model = _trainer!.Model;
        ReplicaCheck.AverageBuffers(_comm, model);
        WeightsHash = ReplicaCheck.CompareWeights(_comm, model, epoch);
        Trace?.WriteLine($"rank {_comm.Rank} epoch {epoch} weights {WeightsHash}");
    }

    /// <inheritdoc/>
    public void Detach()
    {
        var st = Statistics;
        Trace?.WriteLine(FormattableString.Invariant(
            $"rank {_comm.Rank} steps {st.Steps} backward {st.Backward.TotalSeconds:F3} s wait {st.Wait.TotalSeconds:F3} s buckets {_buckets.Length} ({string.Join(" ", BucketSizes)} floats), {st.BucketsStartedInBackward} of {st.Steps * _buckets.Length} started during backward, {st.HiddenFraction:P0} of the gradients reduced before backward ended"));
        foreach (var p in _hooked) p.Data.GradReadyHook = null;
        _hooked.Clear();
    }
}
