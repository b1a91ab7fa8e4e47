using System.Runtime.InteropServices;
using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

/// <summary>
/// A dataset of <see cref="ByteFeatures"/> against its float twin (the same values held as a float32 tensor): every
/// operation gives bit-identical values, and none widens the bytes whole.
/// </summary>
public class ByteFeaturesTests
{
    private static readonly float[] Over255 = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>n images [1, 4, 4] of seeded random bytes with labels and targets, as bytes and as floats table[byte].</summary>
    private static (TensorDataset Bytes, TensorDataset Floats) Twins(int n, float[]? table = null, int seed = 7)
    {
        table ??= Over255;
        var rng = new Random(seed);
        var data = new byte[n * 16];
        rng.NextBytes(data);
        int[] shape = [n, 1, 4, 4];
        var floats = data.Select(b => table[b]).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var targets = Tensor.FromArray(Enumerable.Range(0, n).Select(i => 0.5f * i).ToArray(), n, 1);
        return (new TensorDataset(new ByteFeatures(data, shape, table), labels, targets),
                new TensorDataset(Tensor.Wrap(floats, shape), labels, targets));
    }

    private static int[] Bits(Tensor t) => MemoryMarshal.Cast<float, int>(t.Clone().AsSpan<float>()).ToArray();

    private static void AssertSameBatch(Batch expected, Batch actual)
    {
        Assert.Equal(expected.Features.Shape, actual.Features.Shape);
        Assert.Equal(Bits(expected.Features), Bits(actual.Features));
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(Bits(expected.Targets!), Bits(actual.Targets!));
        Assert.Equal(expected.Indices, actual.Indices);
    }

    public static TheoryData<string> LoaderCases => ["unshuffled", "shuffled", "augmented", "shard", "no-reuse", "prefetch-off"];

    private static DataLoader Loader(TensorDataset data, string kind) => kind switch
    {
        "unshuffled" => new DataLoader(data, 8),                                       // 45 rows: last batch of 5
        "shuffled" => new DataLoader(data, 8, shuffle: true, seed: 11),
        "augmented" => new DataLoader(data, 8, shuffle: true, seed: 11, augmentation: new RandomCrop(1, seed: 5)),
        "shard" => new DataLoader(data, 8, shuffle: true, seed: 11, shard: new DataShard(1, 2)),
        "no-reuse" => new DataLoader(data, 8, shuffle: true, seed: 11, reuseBuffers: false),
        "prefetch-off" => new DataLoader(data, 16, prefetch: false, augmentation: new RandomCrop(1, seed: 5)),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(LoaderCases))]
    public void EveryLoaderBatchEqualsTheFloatTwinsBitForBit(string kind)
    {
        var (bytes, floats) = Twins(45);
        var (a, b) = (Loader(floats, kind), Loader(bytes, kind));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int count = 0;
            using var ea = a.GetEnumerator();
            using var eb = b.GetEnumerator();
            while (ea.MoveNext())
            {
                Assert.True(eb.MoveNext());
                AssertSameBatch(ea.Current, eb.Current);   // compared in step: reused buffers hold one batch at a time
                count++;
            }
            Assert.False(eb.MoveNext());
            Assert.Equal(a.BatchesPerEpoch, count);
        }
        Assert.False(bytes.FeaturesMaterialized);
    }

    [Fact]
    public void AnUnshuffledByteBatchIsACopyNotAView()
    {
        var (bytes, _) = Twins(20);
        var loader = new DataLoader(bytes, 8, reuseBuffers: false);
        var first = loader.First();
        Assert.Equal(new[] { 8, 1, 4, 4 }, first.Features.Shape.ToArray());
        Assert.Equal(DType.Float32, first.Features.DType);
        Assert.Equal(Over255[bytes.ByteFeatures!.Data[17]], first.Features.AsSpan<float>()[17]);
        first.Features.AsSpan<float>()[17] = -5f;   // a widened copy: the dataset does not change
        Assert.Equal(Over255[bytes.ByteFeatures.Data[17]], loader.First().Features.AsSpan<float>()[17]);
        Assert.Equal(new[] { 8, 8, 4 }, loader.Select(b => b.Count).ToArray());
        Assert.False(bytes.FeaturesMaterialized);
    }

    [Fact]
    public void SubsetSliceFlattenAndIndexerEqualTheFloatTwinAndStayBytes()
    {
        var (bytes, floats) = Twins(30, Enumerable.Range(0, 256).Select(b => (b - 128) * 0.37f + 1e-3f).ToArray());
        int[] picks = [29, 3, 3, 0, 17];
        var pairs = new (TensorDataset F, TensorDataset B)[]
        {
            (floats.Subset(picks), bytes.Subset(picks)),
            (floats.Slice(5, 12), bytes.Slice(5, 12)),
            (floats.Flatten(), bytes.Flatten()),
            (floats.Slice(10, 10).Flatten().Subset([9, 0]), bytes.Slice(10, 10).Flatten().Subset([9, 0])),
        };
        foreach (var (f, b) in pairs)
        {
            Assert.NotNull(b.ByteFeatures);
            Assert.Equal(f.Count, b.Count);
            Assert.Equal(f.ExampleShape, b.ExampleShape);
            Assert.Equal(f.Features.Shape, b.FeatureShape);
            Assert.Equal(f.Labels, b.Labels);
            Assert.Equal(Bits(f.Targets!), Bits(b.Targets!));
            Assert.False(b.FeaturesMaterialized);
            Assert.Equal(Bits(f.Features), Bits(b.Features));     // now widened: the lazy tensor
        }
        Assert.Equal(new[] { 30, 16 }, bytes.Flatten().FeatureShape.ToArray());
        for (int i = 0; i < bytes.Count; i += 7) AssertSameBatch(floats[i], bytes[i]);
        Assert.False(bytes.FeaturesMaterialized);
    }

    [Fact]
    public void FeaturesAreWidenedOnceOnFirstUseEvenFromManyThreads()
    {
        var (bytes, floats) = Twins(64);
        Assert.False(bytes.FeaturesMaterialized);
        Assert.Equal(64, bytes.Count);
        Assert.Equal(new[] { 1, 4, 4 }, bytes.ExampleShape);
        Assert.Equal(DType.Float32, bytes.FeatureDType);
        var seen = new Tensor[8];
        Parallel.For(0, seen.Length, i => seen[i] = bytes.Features);
        Assert.True(bytes.FeaturesMaterialized);
        Assert.All(seen, t => Assert.Same(seen[0], t));
        Assert.Same(seen[0], bytes.Features);
        Assert.Equal(Bits(floats.Features), Bits(seen[0]));
        Assert.Equal(0.5f * 63, bytes.Targets!.AsSpan<float>()[63]);
    }

    [Fact]
    public void ScaledGivesExactlyByteOver255LikeTheIdxReader()
    {
        var data = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var scaled = ByteFeatures.Scaled(data, [256]);
        var idx = new IdxData("test", [256], data).ToTensor();
        Assert.Equal(Bits(idx), Bits(scaled.ToTensor()));
        Assert.Equal(1f, scaled[255]);
        Assert.Equal(0f, scaled[0]);
        Assert.Equal(128 / 255f, scaled.Table[128]);
    }

    [Fact]
    public void EnsureFiniteNamesTheFirstByteWhoseValueIsNotFinite()
    {
        var table = (float[])Over255.Clone();
        var data = new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
        // A NaN for a byte that never occurs: the dataset is still finite.
        table[200] = float.NaN;
        new TensorDataset(new ByteFeatures(data, [3, 4], table), new int[3]).EnsureFinite("Fit: training set");
        table[6] = float.PositiveInfinity;
        var ds = new TensorDataset(new ByteFeatures(data, [3, 4], table), new int[3]);
        var e = Assert.Throws<ValueException>(() => ds.EnsureFinite("Fit: training set"));
        Assert.Equal("Fit: training set: features [3,4] hold +Infinity at row 1, column 2; every value must be finite (drop or impute missing values before training)", e.Message);
        Assert.False(ds.FeaturesMaterialized);
        Assert.Equal(6, new ByteFeatures(data, [3, 4], table).IndexOfNonFinite());
    }

    [Fact]
    public void BadTablesAndShapesAreRejectedWithExpectedAndActual()
    {
        var e = Assert.Throws<ValueException>(() => new ByteFeatures(new byte[6], [2, 3], new float[255]));
        Assert.Equal("ByteFeatures: the value table must hold 256 values (one per byte), got 255", e.Message);
        var s = Assert.Throws<ShapeException>(() => new ByteFeatures(new byte[5], [2, 3], Over255));
        Assert.Equal("ByteFeatures: shape [2,3] needs 6 bytes, got 5", s.Message);
        Assert.Contains("scalar", Assert.Throws<ShapeException>(() => new ByteFeatures(new byte[1], [], Over255)).Message);
        Assert.Contains("negative", Assert.Throws<ShapeException>(() => new ByteFeatures(new byte[0], [2, -1], Over255)).Message);
        var f = new ByteFeatures(new byte[6], [2, 3], Over255);
        Assert.Equal("ByteFeatures.Reshape: cannot view [2,3] (6 values) as [4,2]", Assert.Throws<ShapeException>(() => f.Reshape(4, 2)).Message);
        Assert.Contains("destination must hold 3 floats, got 6", Assert.Throws<ShapeException>(() => f.WidenRows(1, 1, new float[6])).Message);
        Assert.Contains("row 2 is out of range for 2 rows", Assert.Throws<ValueException>(() => f.GatherRows([2], new float[3])).Message);
        var labels = Assert.Throws<ShapeException>(() => new TensorDataset(f, new int[3]));
        Assert.Equal("TensorDataset: 3 labels for 2 feature rows (features [2,3])", labels.Message);
    }

    [Fact]
    public void GatheringManyShuffledRowsMatchesWideningEachRow()
    {
        var rng = new Random(4);
        var data = new byte[50 * 7];
        rng.NextBytes(data);
        var f = new ByteFeatures(data, [50, 7], Over255);
        int[] rows = Enumerable.Range(0, 50).OrderBy(_ => rng.Next()).ToArray();
        var gathered = new float[50 * 7];
        f.GatherRows(rows, gathered);
        var expected = new float[7];
        for (int k = 0; k < rows.Length; k++)
        {
            f.WidenRows(rows[k], 1, expected);
            Assert.Equal(expected, gathered.AsSpan(k * 7, 7).ToArray());
            Assert.Equal(data[rows[k] * 7 + 3] / 255f, gathered[k * 7 + 3]);
        }
        // A bad row late in the list (read ahead of time by the gather) fails with the same message as anywhere else.
        int[] bad = [.. rows.Take(9), 50];
        var e = Assert.Throws<ValueException>(() => f.GatherRows(bad, new float[10 * 7]));
        Assert.Equal("ByteFeatures.GatherRows: row 50 is out of range for 50 rows", e.Message);
    }

    [Fact]
    public void TheTableIsCopiedAndTheBytesAreShared()
    {
        var table = (float[])Over255.Clone();
        var data = new byte[] { 10, 20, 30, 40 };
        var f = new ByteFeatures(data, [2, 2], table);
        table[10] = -1f;
        Assert.Equal(10 / 255f, f[0]);
        var view = f.Rows(1, 1);
        Assert.Equal(new byte[] { 30, 40 }, view.Data.ToArray());
        var copy = f.Select([1, 0, 1]);
        Assert.Equal(new byte[] { 30, 40, 10, 20, 30, 40 }, copy.Data.ToArray());
        data[2] = 0;   // the view shares the bytes, the selection does not
        Assert.Equal(0f, view[0]);
        Assert.Equal(30 / 255f, copy[0]);
    }

    [Fact]
    public void MnistLoadsAsBytesAndNeitherAnEpochNorEvaluationWidensThemWhole()
    {
        var data = Mnist.Load();
        var (train, test) = (data.Train, data.Test);
        Assert.Equal(60000 * 784, train.ByteFeatures!.Data.Length);
        Assert.Equal(10000 * 784, test.ByteFeatures!.Data.Length);
        Assert.Equal(new[] { 60000, 1, 28, 28 }, train.FeatureShape.ToArray());
        Assert.False(train.FeaturesMaterialized);
        var loader = new DataLoader(train, 64, shuffle: true, seed: 1, prefetch: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int batches = 0;
        float sum = 0;
        foreach (var b in loader)
        {
            sum += b.Features.AsSpan<float>()[14 * 28 + 14];   // the first image's centre pixel
            batches++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(938, batches);
        Assert.True(sum > 0);
        // Float32 MNIST would take 188 MB; an epoch of bytes allocates two batch buffers and the index and label arrays.
        Assert.True(allocated < 8L << 20, $"one epoch allocated {allocated} bytes");
        var ev = Nabla.Training.ModelEvaluation.Evaluate(Nabla.Models.ModelZoo.MLP(), test, new Nabla.Losses.CrossEntropy());
        Assert.Equal(10000, ev.Count);
        Assert.False(train.FeaturesMaterialized);
        Assert.False(test.FeaturesMaterialized);
    }
}
