using Nabla.Data;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

/// <summary><see cref="DataShard"/> in a <see cref="DataLoader"/>: the workers' parts of a batch make up the batch one loader yields.</summary>
public class DataShardTests
{
    private static TensorDataset Rows(int n) => new(Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1), new int[n]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThePartsOfEveryBatchMakeUpTheWholeBatch(bool shuffle)
    {
        var data = Rows(50);
        var whole = new DataLoader(data, 12, shuffle, dropLast: true, seed: 4).Select(b => b.Indices!.ToArray()).ToList();
        var parts = Enumerable.Range(0, 3).Select(r => new DataLoader(data, 12, shuffle, seed: 4, shard: new DataShard(r, 3))
            .Select(b => b.Indices!.ToArray()).ToList()).ToList();
        Assert.Equal(4, whole.Count);   // 50 rows: 4 whole batches of 12, the last 2 rows dropped
        for (int b = 0; b < whole.Count; b++)
        {
            Assert.All(parts, p => Assert.Equal(4, p[b].Length));
            Assert.Equal(whole[b], parts.SelectMany(p => p[b]).ToArray());
        }
    }

    [Fact]
    public void ABatchThatDoesNotSplitEvenlyNamesBothNumbers()
    {
        var e = Assert.Throws<ValueException>(() => new DataLoader(Rows(50), 10, shard: new DataShard(0, 4)));
        Assert.Contains("batch size 10", e.Message);
        Assert.Contains("4 processes", e.Message);
    }
}
