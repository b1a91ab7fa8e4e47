using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Nabla.Data;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>Keeps the replicas of a data-parallel job equal and proves it: digests, comparisons, broadcasts.</summary>
internal static class ReplicaCheck
{
    /// <summary>What must agree about the model: parameter and buffer names, shapes and types, loss and optimizer.</summary>
    public static byte[] ModelDigest(Trainer trainer)
    {
        var text = new StringBuilder();
        foreach (var (name, p) in trainer.Model.NamedParameters()) text.Append($"p {name} {p.Data.DType} {p.Shape} {p.RequiresGrad}\n");
        foreach (var (name, b) in trainer.Model.NamedBuffers()) text.Append($"b {name} {b.DType} {b.Shape}\n");
        text.Append($"loss {trainer.Loss.GetType().Name} optimizer {trainer.Optimizer.Name}\n");
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>What must agree about the data: the training set's shapes and every value, labels and the global batch size.</summary>
    public static byte[] DataDigest(TensorDataset train, int batchSize)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Encoding.UTF8.GetBytes($"{train.Count} {train.FeatureShape} {train.FeatureDType} {train.Targets?.Shape} batch {batchSize}"));
        if (train.ByteFeatures is { } bytes) AppendWidened(h, bytes);
        else AppendTensor(h, train.Features);
        if (train.Targets is { } t) AppendTensor(h, t);
        if (train.Labels is { } labels) h.AppendData(MemoryMarshal.AsBytes(labels.AsSpan()));
        return h.GetHashAndReset();
    }

    /// <summary>The SHA-256 of every parameter's and buffer's values, in model order.</summary>
    public static byte[] WeightsDigest(Module model)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in model.Parameters()) AppendTensor(h, p.Data);
        foreach (var (_, b) in model.NamedBuffers()) AppendTensor(h, b);
        return h.GetHashAndReset();
    }

    private static void AppendTensor(IncrementalHash h, Tensor t) => h.AppendData(Bytes(t));

    // Byte features hash as the float32 values they stand for (the digest of the same data held as a tensor), a block
    // of rows at a time: the features are never widened whole.
    private static void AppendWidened(IncrementalHash h, ByteFeatures bytes)
    {
        int rows = Math.Max(1, (1 << 16) / Math.Max(1, bytes.RowLength));
        var block = new float[rows * bytes.RowLength];
        for (int start = 0; start < bytes.Count; start += rows)
        {
            int n = Math.Min(rows, bytes.Count - start);
            var part = block.AsSpan(0, n * bytes.RowLength);
            bytes.WidenRows(start, n, part);
            h.AppendData(MemoryMarshal.AsBytes(part));
        }
    }

    private static Span<byte> Bytes(Tensor t) => t.DType == DType.Float32
        ? MemoryMarshal.AsBytes(t.AsSpan<float>()) : MemoryMarshal.AsBytes(t.AsSpan<double>());

    /// <summary>Stops every rank with an error naming the ranks whose model or data differ from rank 0's.</summary>
    public static void Compare(ICommunicator comm, byte[] model, byte[] data)
    {
        var modelDiffers = DifferingRanks(comm, model);
        var dataDiffers = DifferingRanks(comm, data);
        if (modelDiffers.Length > 0)
            throw new DistributedException($"rank {comm.Rank}: the model differs between ranks (rank {string.Join(", ", modelDiffers)} against rank 0: parameter names or shapes, loss or optimizer); start every rank with the same command line");
        if (dataDiffers.Length > 0)
            throw new DistributedException($"rank {comm.Rank}: the training data differ between ranks (rank {string.Join(", ", dataDiffers)} against rank 0: examples, labels or batch size); every rank must read the same dataset");
    }

    /// <summary>The ranks whose <paramref name="digest"/> differs from rank 0's (the same answer on every rank).</summary>
    public static int[] DifferingRanks(ICommunicator comm, byte[] digest)
    {
        var root = (byte[])digest.Clone();
        comm.Broadcast(root.AsSpan());
        var differs = new double[comm.Size];
        differs[comm.Rank] = root.AsSpan().SequenceEqual(digest) ? 0 : 1;
        comm.AllReduceSum(differs);
        return Enumerable.Range(0, comm.Size).Where(r => differs[r] != 0).ToArray();
    }

    /// <summary>Rank 0's parameters and buffers into every rank.</summary>
    public static void BroadcastWeights(ICommunicator comm, Module model)
    {
        foreach (var p in model.Parameters()) comm.Broadcast(Bytes(p.Data));
        foreach (var (_, b) in model.NamedBuffers()) comm.Broadcast(Bytes(b));
    }

    /// <summary>Each buffer (batch-norm running statistics) becomes its mean over the ranks.</summary>
    public static void AverageBuffers(ICommunicator comm, Module model)
    {
        foreach (var (_, b) in model.NamedBuffers())
        {
            var v = new double[b.Numel];
            for (int i = 0; i < v.Length; i++) v[i] = b.GetFlat(i);
            comm.AllReduceSum(v);
            for (int i = 0; i < v.Length; i++) b.SetFlat(i, v[i] / comm.Size);
        }
    }

    /// <summary>The weights' digest (hex), after checking that every rank has rank 0's.</summary>
    public static string CompareWeights(ICommunicator comm, Module model, int epoch)
    {
        var digest = WeightsDigest(model);
        var differ = DifferingRanks(comm, digest);
        if (differ.Length > 0)
            throw new DistributedException($"rank {comm.Rank}: after epoch {epoch} the weights of rank {string.Join(", ", differ)} differ from rank 0's");
        return Convert.ToHexStringLower(digest);
    }
}
