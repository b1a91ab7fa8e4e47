using System.Collections;
using Nabla.Data.Augmentation;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Cuts a <see cref="TensorDataset"/> into mini-batches, one epoch per enumeration
/// (<c>foreach (var batch in loader)</c>), optionally shuffled, augmented and prefetched.
/// </summary>
/// <remarks>
/// <para><b>Shuffling.</b> Each epoch draws one permutation of all examples from the loader's own
/// <see cref="Generator"/>, seeded by <c>seed</c>: the same seed gives the same sequence of epochs, and
/// successive epochs get different orders. Save and restore <see cref="Generator"/>'s state to resume.</para>
/// <para><b>Batch lifetime.</b> Without shuffling and augmentation, batches of tensor features are views of the dataset
/// (no copy). Otherwise, and always for <see cref="ByteFeatures"/> (widened to float32 row by row), rows are gathered with contiguous copies into two reusable buffers, so a batch's tensors and arrays
/// stay valid only until the next batch is requested; keep a copy (<see cref="Tensor.Clone"/>) to hold on to one,
/// or pass <c>reuseBuffers: false</c>.</para>
/// <para><b>Prefetch.</b> With <c>prefetch</c> (the default), a worker task gathers and augments the next batch
/// while the current one is in use, when that work is worth a thread hand-over (see <see cref="Prefetch"/>).
/// Batches are produced in the same order with the same random numbers, so the results equal those without prefetch.</para>
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>, IStateful
{
    private BatchBuffers? _buffers;   // shared buffers, leased to one epoch at a time
    private int _buffersInUse;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The examples.</param>
    /// <param name="batchSize">Rows per batch (positive). The last batch of an epoch may be smaller unless <paramref name="dropLast"/>.</param>
    /// <param name="shuffle">Draw a new random order each epoch.</param>
    /// <param name="dropLast">Skip the last, incomplete batch of each epoch.</param>
    /// <param name="seed">Seed of the loader's generator (shuffling only; an augmentation has its own generator); null (default) spawns one from <see cref="Generator.Default"/>.</param>
    /// <param name="prefetch">Prepare the next batch on a worker task.</param>
    /// <param name="augmentation">Applied to the features of every batch (always to a copy, never to the dataset).</param>
    /// <param name="reuseBuffers">Gather into two reused buffers (see remarks); false allocates every batch afresh.</param>
    /// <param name="shard">
    /// Data-parallel training: yield only this worker's equal part of every batch (see <see cref="DataShard"/>).
    /// <paramref name="batchSize"/> is then the global batch, it must be divisible by the number of workers, and the
    /// last incomplete batch of an epoch is dropped, so that every worker trains the same number of equal steps.
    /// </param>
    public DataLoader(TensorDataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, ulong? seed = null,
        bool prefetch = true, IAugmentation? augmentation = null, bool reuseBuffers = true, DataShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
            throw new ValueException($"DataLoader: batchSize must be positive, got {batchSize} (use DataLoader.FullBatch for full-batch training)");
        if (dataset.Count == 0) throw new ValueException("DataLoader: the dataset is empty (0 examples)");
        Shard = shard ?? DataShard.Whole;
        _shardRows = Shard.RowsPerShard(batchSize);
        if (!Shard.IsWhole) dropLast = true;
        if (dropLast && batchSize > dataset.Count)
            throw new ValueException($"DataLoader: dropLast with batchSize {batchSize} larger than the {dataset.Count} examples would give no batch at all");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Prefetch = prefetch;
        Augmentation = augmentation;
        ReuseBuffers = reuseBuffers;
        Generator = seed is ulong sd ? new Generator(sd) : Generator.Default.Spawn();
    }

    /// <summary>A full-batch loader: every epoch is one batch of all N examples (gradient descent rather than SGD).</summary>
    public static DataLoader FullBatch(TensorDataset dataset, bool shuffle = false, ulong? seed = null, IAugmentation? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Count == 0) throw new ValueException("DataLoader: the dataset is empty (0 examples)");
        return new DataLoader(dataset, dataset.Count, shuffle, false, seed, prefetch: false, augmentation);
    }

    /// <summary>The examples.</summary>
    public TensorDataset Dataset { get; }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch has a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last incomplete batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The part of every batch this loader yields (<see cref="DataShard.Whole"/> unless data-parallel).</summary>
    public DataShard Shard { get; }

    private readonly int _shardRows;

    /// <summary>
    /// Whether the next batch may be prepared on a worker task. It is, when that pays: with an augmentation, or when a
    /// batch holds at least <see cref="BackgroundPrefetchBytes"/>; a plain gather of a small batch (a few microseconds
    /// of copying) is cheaper on the calling thread than a hand-over between threads, which on a machine with few
    /// cores also competes with the compute threads.
    /// </summary>
    public bool Prefetch { get; }

    /// <summary>The batch size in bytes (features and targets) from which an unaugmented batch is prefetched in the background (4 MiB).</summary>
    public const long BackgroundPrefetchBytes = 4L << 20;

    private bool PrefetchesInBackground
    {
        get
        {
            if (!Prefetch) return false;
            if (Augmentation != null) return true;
            long rows = Math.Min(BatchSize, Dataset.Count);
            long bytes = RowBytes(Dataset.FeatureShape, Dataset.FeatureDType) * rows + (Dataset.Targets is { } t ? RowBytes(t.Shape, t.DType) * rows : 0);
            return bytes >= BackgroundPrefetchBytes;
        }
    }

    private static long RowBytes(Shape s, DType dtype) => (long)s.Numel / Math.Max(s[0], 1) * (dtype == DType.Float32 ? sizeof(float) : sizeof(double));

    /// <summary>Whether batches are gathered into reused buffers.</summary>
    public bool ReuseBuffers { get; }

    /// <summary>The augmentation applied to each batch's features, or null.</summary>
    public IAugmentation? Augmentation { get; }

    /// <summary>The loader's own random generator (shuffling); its state can be saved and restored.</summary>
    public Generator Generator { get; }

    /// <summary>The number of epochs started so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>Whether every batch holds the whole dataset.</summary>
    public bool IsFullBatch => BatchSize >= Dataset.Count;

    /// <summary>The number of batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The state between epochs: the shuffling generator (<c>generator.words</c>), the epoch count (<c>epoch</c>) and
    /// the augmentation's state (<c>augmentation.*</c>), so the next epoch after a restore is the one that would have come.
    /// </summary>
    public StateDict StateDict()
    {
        var state = new StateDict().Set("epoch", Epoch).Add("generator", Generator.StateDict());
        if (Augmentation is not null) state.Add("augmentation", Augmentation.StateDict());
        return state;
    }

    /// <summary>Restores a state from <see cref="StateDict"/> (checked whole before anything changes).</summary>
    public void LoadStateDict(StateDict state)
    {
        long epoch = state.GetLong("epoch");
        if (epoch < 0 || epoch > int.MaxValue) throw new ValueException($"DataLoader: epoch in the state must be between 0 and {int.MaxValue}, got {epoch}");
        var words = state.GetWords("generator.words");
        var before = Augmentation?.StateDict();
        if (Augmentation is not null)
        {
            if (!state.HasSub("augmentation")) throw new ValueException("DataLoader: the state has no augmentation state, but this loader augments");
            Augmentation.LoadStateDict(state.Sub("augmentation"));
        }
        try { Generator.SetState(words); }
        catch { if (before is not null) Augmentation!.LoadStateDict(before); throw; }
        Epoch = (int)epoch;
    }

    /// <summary>Starts an epoch: draws its order (when shuffling) and returns its batches.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        int n = Dataset.Count;
        int[] order;
        if (Shuffle) order = Generator.Permutation(n);
        else
        {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        Epoch++;
        return Run(order);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<Batch> Run(int[] order)
    {
        int nb = BatchesPerEpoch;
        bool copy = Shuffle || Augmentation != null || Dataset.ByteFeatures != null;   // bytes are widened into a copy
        BatchBuffers? buffers = null;
        bool leased = false;
        if (copy && ReuseBuffers)
        {
            leased = Interlocked.Exchange(ref _buffersInUse, 1) == 0;
            buffers = leased ? (_buffers ??= new BatchBuffers(this)) : new BatchBuffers(this); // a second concurrent epoch gets its own
        }
        Task<Batch>? pending = null;
        try
        {
            if (!PrefetchesInBackground)
            {
                for (int b = 0; b < nb; b++) yield return Make(order, b, copy, buffers);
                yield break;
            }
            pending = Task.Run(() => Make(order, 0, copy, buffers));
            for (int b = 0; b < nb; b++)
            {
                var current = pending!.GetAwaiter().GetResult();
                pending = null;
                if (b + 1 < nb)
                {
                    int next = b + 1;   // fills the slot of batch b-1, which the caller released by asking for batch b
                    pending = Task.Run(() => Make(order, next, copy, buffers));
                }
                yield return current;
            }
        }
        finally
        {
            // An abandoned epoch must not leave a worker writing into buffers that the next epoch reuses.
            if (pending != null) try { pending.Wait(); } catch (AggregateException) { }
            if (leased) Volatile.Write(ref _buffersInUse, 0);
        }
    }

    private Batch Make(int[] order, int b, bool copy, BatchBuffers? buffers)
    {
        var ds = Dataset;
        int start = b * BatchSize, count = Math.Min(BatchSize, ds.Count - start);
        if (!Shard.IsWhole) (start, count) = (start + Shard.Index * _shardRows, _shardRows);   // batches are whole here (dropLast)
        var indices = order.AsSpan(start, count).ToArray();
        int[]? labels = null;
        if (ds.Labels is int[] all)
        {
            labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = all[indices[i]];
        }
        if (!copy)   // unshuffled, unaugmented: rows start..start+count are contiguous, hand out views
            return new Batch(ds.Features.Detach().Rows(start, count), labels, ds.Targets?.Detach().Rows(start, count), indices);

        int slot = b & 1;
        Tensor features;
        if (ds.ByteFeatures is { } bytes)
        {
            features = Destination(ds.FeatureShape, DType.Float32, indices.Length, buffers?.Features[slot]);
            bytes.GatherRows(indices, features.AsSpan<float>());
        }
        else features = Gather(ds.Features, indices, buffers?.Features[slot]);
        var targets = ds.Targets is null ? null : Gather(ds.Targets, indices, buffers?.Targets?[slot]);
        Augmentation?.Apply(features);
        return new Batch(features, labels, targets, indices);
    }

    /// <summary>Copies rows <paramref name="indices"/> of <paramref name="source"/> into (a leading view of) <paramref name="buffer"/>, or a new tensor.</summary>
    private static Tensor Gather(Tensor source, int[] indices, Tensor? buffer)
    {
        int row = source.Numel / source.Shape[0];
        var dst = Destination(source.Shape, source.DType, indices.Length, buffer);
        if (source.DType == DType.Float32)
        {
            var s = source.AsSpan<float>(); var d = dst.AsSpan<float>();
            for (int i = 0; i < indices.Length; i++) s.Slice(indices[i] * row, row).CopyTo(d.Slice(i * row, row));
        }
        else
        {
            var s = source.AsSpan<double>(); var d = dst.AsSpan<double>();
            for (int i = 0; i < indices.Length; i++) s.Slice(indices[i] * row, row).CopyTo(d.Slice(i * row, row));
        }
        return dst;
    }

    /// <summary>A tensor of <paramref name="rows"/> rows shaped like <paramref name="like"/>: a leading view of <paramref name="buffer"/>, or a new one.</summary>
    private static Tensor Destination(Shape like, DType dtype, int rows, Tensor? buffer)
    {
        if (buffer is not null) return buffer.Shape[0] == rows ? buffer : buffer.Rows(0, rows);
        var dims = like.ToArray();
        dims[0] = rows;
        return Tensor.Zeros(dims, dtype);
    }

    private sealed class BatchBuffers
    {
        public readonly Tensor[] Features;
        public readonly Tensor[]? Targets;

        public BatchBuffers(DataLoader loader)
        {
            var ds = loader.Dataset;
            int rows = Math.Min(loader.Shard.IsWhole ? loader.BatchSize : loader._shardRows, ds.Count);
            Features = [Alloc(ds.FeatureShape, ds.FeatureDType), Alloc(ds.FeatureShape, ds.FeatureDType)];
            if (ds.Targets is { } t) Targets = [Alloc(t.Shape, t.DType), Alloc(t.Shape, t.DType)];

            Tensor Alloc(Shape like, DType dtype) => Destination(like, dtype, rows, null);
        }
    }
}
