using Nabla.Data;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Distributed.Tests;

/// <summary>The data digest of byte features: the digest of the float values they stand for, taken without widening them whole.</summary>
public class ReplicaCheckTests
{
    [Fact]
    public void ByteFeaturesHashLikeTheirFloatValuesAndStayBytes()
    {
        // 300 rows of 300 values: the digest widens several blocks of rows, the last one partial.
        var bytes = new byte[300 * 300];
        new Random(3).NextBytes(bytes);
        var labels = Enumerable.Range(0, 300).Select(i => i % 5).ToArray();
        var compact = new TensorDataset(ByteFeatures.Scaled(bytes, [300, 300]), labels);
        var floats = new TensorDataset(Tensor.Wrap(bytes.Select(b => b / 255f).ToArray(), 300, 300), labels);
        var digest = ReplicaCheck.DataDigest(compact, 32);
        Assert.Equal(ReplicaCheck.DataDigest(floats, 32), digest);
        var changed = (byte[])bytes.Clone();
        changed[299 * 300 + 7] ^= 1;   // one value in the last, partial block of rows
        Assert.NotEqual(digest, ReplicaCheck.DataDigest(new TensorDataset(ByteFeatures.Scaled(changed, [300, 300]), labels), 32));
    }
}
