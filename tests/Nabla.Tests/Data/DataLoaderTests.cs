using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

public class DataLoaderTests
{
    /// <summary>n rows of 3 features each equal to 10·row + column, label row % 4; targets 2·row.</summary>
    private static TensorDataset Rows(int n)
    {
        var x = new float[n * 3];
        for (int i = 0; i < n; i++) for (int j = 0; j < 3; j++) x[i * 3 + j] = 10 * i + j;
        var t = Enumerable.Range(0, n).Select(i => 2f * i).ToArray();
        return new TensorDataset(Tensor.FromArray(x, n, 3), Enumerable.Range(0, n).Select(i => i % 4).ToArray(), Tensor.FromArray(t, n, 1));
    }

    private static List<int[]> Orders(DataLoader loader) => loader.Select(b => b.Indices).ToList();

    [Fact]
    public void BatchesHoldTheRowsTheyName()
    {
        var loader = new DataLoader(Rows(10), 4, shuffle: true, seed: 5);
        foreach (var b in loader)
            for (int k = 0; k < b.Count; k++)
            {
                int i = b.Indices[k];
                Assert.Equal(10f * i + 2, b.Features.AsSpan<float>()[k * 3 + 2]);
                Assert.Equal(i % 4, b.Labels![k]);
                Assert.Equal(2f * i, b.Targets!.AsSpan<float>()[k]);
            }
        var sizes = loader.Select(b => b.Count).ToArray();
        Assert.Equal(new[] { 4, 4, 2 }, sizes);
        Assert.Equal(3, loader.BatchesPerEpoch);
    }

    [Fact]
    public void SameSeedSameOrderAndEpochsDiffer()
    {
        var a = new DataLoader(Rows(50), 8, shuffle: true, seed: 42);
        var b = new DataLoader(Rows(50), 8, shuffle: true, seed: 42);
        var a1 = Orders(a).SelectMany(x => x).ToArray();
        var a2 = Orders(a).SelectMany(x => x).ToArray();
        Assert.Equal(a1, Orders(b).SelectMany(x => x).ToArray());
        Assert.Equal(a2, Orders(b).SelectMany(x => x).ToArray());
        Assert.NotEqual(a1, a2);
        Assert.Equal(Enumerable.Range(0, 50), a1.Order());        // each epoch is a permutation
        Assert.NotEqual(a1, Orders(new DataLoader(Rows(50), 8, shuffle: true, seed: 43)).SelectMany(x => x).ToArray());
        Assert.Equal(Enumerable.Range(0, 50), Orders(new DataLoader(Rows(50), 8)).SelectMany(x => x));
        Assert.Equal(2, a.Epoch);
    }

    [Fact]
    public void DropLastAndFullBatchCounts()
    {
        var ds = Rows(10);
        Assert.Equal(new[] { 3, 3, 3 }, new DataLoader(ds, 3, dropLast: true).Select(b => b.Count));
        Assert.Equal(new[] { 3, 3, 3, 1 }, new DataLoader(ds, 3).Select(b => b.Count));
        var full = DataLoader.FullBatch(ds);
        var only = Assert.Single(full);
        Assert.Equal(Enumerable.Range(0, 10), only.Indices);
        Assert.Equal(ds.Labels, only.Labels);
        Assert.Equal(ds.Features.ToArray(), only.Features.ToArray());
        Assert.True(full.IsFullBatch);
        Assert.Equal(new[] { 10 }, DataLoader.FullBatch(ds, shuffle: true, seed: 1).Select(b => b.Count));
    }

    [Fact]
    public void BadOptionsNameTheOption()
    {
        Assert.Contains("batchSize", Assert.Throws<ValueException>(() => new DataLoader(Rows(4), 0)).Message);
        Assert.Contains("batchSize", Assert.Throws<ValueException>(() => new DataLoader(Rows(4), -3)).Message);
        Assert.Contains("empty", Assert.Throws<ValueException>(() => new DataLoader(Rows(0), 2)).Message);
        Assert.Contains("dropLast", Assert.Throws<ValueException>(() => new DataLoader(Rows(4), 5, dropLast: true)).Message);
    }

    [Fact]
    public void PrefetchGivesTheSameBatchesAsNoPrefetch()
    {
        var aug = () => new AugmentationPipeline(new GaussianNoise(0.1, seed: 7));
        var images = new TensorDataset(Tensor.Uniform([37, 1, 4, 4], 0, 1, new Generator(2)), Enumerable.Range(0, 37).Select(i => i % 3).ToArray());
        var with = new DataLoader(images, 5, shuffle: true, seed: 3, prefetch: true, augmentation: aug());
        var without = new DataLoader(images, 5, shuffle: true, seed: 3, prefetch: false, augmentation: aug());
        for (int epoch = 0; epoch < 3; epoch++)
        {
            // Compare batch by batch while iterating (batches live until the next is requested).
            using var e1 = with.GetEnumerator();
            using var e2 = without.GetEnumerator();
            int count = 0;
            while (e1.MoveNext())
            {
                Assert.True(e2.MoveNext());
                Assert.Equal(e2.Current.Indices, e1.Current.Indices);
                Assert.Equal(e2.Current.Labels, e1.Current.Labels);
                Assert.Equal(e2.Current.Features.ToArray(), e1.Current.Features.ToArray());
                count++;
            }
            Assert.False(e2.MoveNext());
            Assert.Equal(8, count);
        }
        // The augmentation worked on copies: the dataset is untouched.
        Assert.Equal(Tensor.Uniform([37, 1, 4, 4], 0, 1, new Generator(2)).ToArray(), images.Features.ToArray());
    }

    [Fact]
    public void ReusedBuffersStayValidUntilTheNextBatchAndAbandonedEpochsAreSafe()
    {
        var ds = Rows(40);
        var loader = new DataLoader(ds, 4, shuffle: true, seed: 1);
        foreach (var b in loader)
        {
            var snapshot = b.Features.ToArray();
            Thread.Sleep(1); // the worker is filling the next batch meanwhile
            Assert.Equal(snapshot, b.Features.ToArray());
            for (int k = 0; k < b.Count; k++) Assert.Equal(10f * b.Indices[k], snapshot[k * 3]);
        }
        foreach (var _ in loader) break;   // abandon an epoch mid-way
        Assert.Equal(10, loader.Count());
        var fresh = new DataLoader(ds, 4, shuffle: true, seed: 1, reuseBuffers: false).ToList();
        Assert.Equal(10, fresh.Select(b => b.Features).Distinct().Count());
    }
}
