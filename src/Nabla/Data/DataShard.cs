using Nabla.Errors;

namespace Nabla.Data;

/// <summary>
/// One worker's share of every batch in data-parallel training (PyTorch's <c>DistributedSampler</c>): with
/// <see cref="Count"/> workers, a <see cref="DataLoader"/> of batch size B cuts each batch of its epoch order (the same
/// seeded order on every worker) into <see cref="Count"/> equal parts of B / <see cref="Count"/> rows and yields part
/// <see cref="Index"/>. Together the workers train on exactly the batches one process would.
/// </summary>
/// <param name="Index">This worker's part, 0 ≤ Index &lt; Count (the MPI rank).</param>
/// <param name="Count">The number of workers (the MPI world size), at least 1.</param>
public readonly record struct DataShard(int Index, int Count)
{
    /// <summary>The whole of every batch: a single worker.</summary>
    public static DataShard Whole => new(0, 1);

    /// <summary>True when this shard is the whole batch.</summary>
    public bool IsWhole => Count <= 1;

    /// <summary>Checks the shard and that <paramref name="batchSize"/> splits into equal parts; returns the rows per part.</summary>
    /// <exception cref="ValueException">Index outside 0..Count-1, or a batch size not divisible by the number of workers.</exception>
    public int RowsPerShard(int batchSize)
    {
        if (Count < 1 || Index < 0 || Index >= Count)
            throw new ValueException($"DataShard: index {Index} of {Count} workers is not valid");
        if (batchSize % Count != 0)
            throw new ValueException($"the global batch size {batchSize} does not divide evenly among {Count} processes; give a batch size that is a multiple of {Count}");
        return batchSize / Count;
    }
}
