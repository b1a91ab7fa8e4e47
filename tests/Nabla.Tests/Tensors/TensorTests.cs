using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void CreationFunctions()
    {
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, Tensor.Zeros([2, 2]).ToArray());
        Assert.Equal(new[] { 1f, 1f }, Tensor.Ones([2]).ToArray());
        Assert.Equal(new[] { 2.5f, 2.5f }, Tensor.Full([2], 2.5).ToArray());
        Assert.Equal(new[] { 1f, 3f, 5f }, Tensor.Arange(1, 6, 2).ToArray());
        Assert.Equal(DType.Float64, Tensor.Zeros([1], DType.Float64).DType);
        var oh = Tensor.OneHot([2, 0], 3);
        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 0f, 0f }, oh.ToArray());
        Assert.Throws<ValueException>(() => Tensor.OneHot([3], 3));
    }

    [Fact]
    public void SeededRandomNumbersRepeatAndHaveTheRightMoments()
    {
        var a = Tensor.Randn([10000], new Generator(42));
        var b = Tensor.Randn([10000], new Generator(42));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.InRange(a.Mean().Item(), -0.03, 0.03);
        Assert.InRange(a.Variance().Item(), 0.95, 1.05);
        var u = Tensor.Uniform([10000], -2, 2, new Generator(1));
        Assert.InRange(u.Min().Item(), -2, -1.99);
        Assert.InRange(u.Max().Item(), 1.99, 2);
    }

    [Fact]
    public void GeneratorSequenceIsFixedAcrossMachines()
    {
        // xoshiro256** seeded by SplitMix64(0): these values are a property of the algorithm, not of the platform.
        var g = new Generator(0);
        var first = g.NextUInt64();
        var g2 = new Generator(0);
        Assert.Equal(first, g2.NextUInt64());
        var state = g.GetState();
        var next = new[] { g.NextUInt64(), g.NextUInt64() };
        g.SetState(state);
        Assert.Equal(next, new[] { g.NextUInt64(), g.NextUInt64() });
        Assert.NotEqual(first, new Generator(1).NextUInt64());
    }

    [Fact]
    public void ReshapeIsAViewAndPermuteIsACopy()
    {
        var a = Tensor.Arange(6).Reshape(2, 3);
        var v = a.Reshape(3, 2);
        v.SetFlat(0, 100);
        Assert.Equal(100, a[0, 0]);
        var p = a.T;
        Assert.Equal(new Shape(3, 2), p.Shape);
        Assert.Equal(new[] { 100f, 3f, 1f, 4f, 2f, 5f }, p.ToArray());
        p.SetFlat(1, -1);
        Assert.Equal(3, a[1, 0]);
    }

    [Fact]
    public void PermuteThreeAxes()
    {
        var a = Tensor.Arange(24).Reshape(2, 3, 4);
        var p = a.Permute(2, 0, 1);
        Assert.Equal(new Shape(4, 2, 3), p.Shape);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            Assert.Equal(a[i, j, k], p[k, i, j]);
    }

    [Fact]
    public void BroadcastingFollowsNumPyRules()
    {
        var a = Tensor.Arange(6).Reshape(2, 3);
        var col = Tensor.FromArray([10f, 20f], 2, 1);
        Assert.Equal(new[] { 10f, 11f, 12f, 23f, 24f, 25f }, (a + col).ToArray());
        var row = Tensor.FromArray([1f, 2f, 3f]);
        Assert.Equal(new[] { 0f, 2f, 6f, 3f, 8f, 15f }, (a * row).ToArray());
        var big = Tensor.Ones([2, 1, 3]) + Tensor.Arange(4).Reshape(4, 1);
        Assert.Equal(new Shape(2, 4, 3), big.Shape);
        Assert.Equal(4f, big[1, 3, 2]);
    }

    [Fact]
    public void ReductionsOverAxesWithKeepDim()
    {
        var a = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal(276.0, a.Sum().Item());
        Assert.Equal(new Shape(2, 4), a.Sum(1).Shape);
        Assert.Equal(new Shape(2, 1, 4), a.Sum(1, keepDim: true).Shape);
        Assert.Equal(0 + 4 + 8, a.Sum(1)[0, 0]);
        Assert.Equal(new[] { 66f, 210f }, a.Sum([1, 2]).ToArray());
        Assert.Equal(11.5, a.Mean().Item());
        Assert.Equal(23.0, a.Max().Item());
        Assert.Equal(new[] { 3f, 7f, 11f, 15f, 19f, 23f }, a.Max(2).ToArray());
        Assert.Equal(new[] { 0f, 1f, 2f, 3f }, a.Min([0, 1]).ToArray());
        Assert.Equal(new[] { 3f, 3f, 3f, 3f, 3f, 3f }, a.ArgMax(2).ToArray());
        var v = Tensor.FromArray([1f, 2f, 3f, 4f]);
        Assert.Equal(1.25, v.Variance().Item(), 6);
        Assert.Equal(5.0 / 3, v.Variance(correction: 1).Item(), 6);
    }

    [Fact]
    public void MatmulMatchesHandComputation()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = Tensor.FromArray([7f, 8f, 9f, 10f, 11f, 12f], 3, 2);
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, a.Matmul(b).ToArray());
        var batch = Tensor.Stack([a, a * 2.0]);
        var r = batch.Matmul(b);
        Assert.Equal(new Shape(2, 2, 2), r.Shape);
        Assert.Equal(308f, r[1, 1, 1]);
    }

    [Fact]
    public void SlicingGatherConcatStack()
    {
        var a = Tensor.Arange(12).Reshape(4, 3);
        var rows = a.Rows(1, 2);
        Assert.Equal(new[] { 3f, 4f, 5f, 6f, 7f, 8f }, rows.ToArray());
        Assert.True(rows.SharesStorageWith(a));
        Assert.Equal(new[] { 1f, 2f, 4f, 5f, 7f, 8f, 10f, 11f }, a.Narrow(1, 1, 2).ToArray());
        Assert.Equal(new[] { 9f, 10f, 11f, 0f, 1f, 2f }, a.IndexSelect(0, [3, 0]).ToArray());
        var g = a.Gather(1, Tensor.FromArray([2f, 0f, 1f, 1f], 4, 1));
        Assert.Equal(new[] { 2f, 3f, 7f, 10f }, g.ToArray());
        var c = Tensor.Concat([a.Rows(0, 1), a.Rows(3, 1)]);
        Assert.Equal(new[] { 0f, 1f, 2f, 9f, 10f, 11f }, c.ToArray());
        Assert.Equal(new Shape(2, 4, 3), Tensor.Stack([a, a]).Shape);
        Assert.Throws<ShapeException>(() => a.Narrow(0, 3, 2));
        Assert.Throws<ShapeException>(() => a.IndexSelect(0, [4]));
    }

    [Fact]
    public void ComparisonsAndWhere()
    {
        var a = Tensor.FromArray([1f, 5f, 3f]);
        var b = Tensor.FromArray([2f, 5f, 1f]);
        Assert.Equal(new[] { 0f, 0f, 1f }, a.Greater(b).ToArray());
        Assert.Equal(new[] { 0f, 1f, 1f }, a.GreaterEqual(b).ToArray());
        Assert.Equal(new[] { 1f, 0f, 0f }, a.Less(b).ToArray());
        Assert.Equal(new[] { 0f, 1f, 0f }, a.Equal(b).ToArray());
        Assert.Equal(new[] { 2f, 5f, 3f }, Tensor.Where(a.Greater(2.0), a, b).ToArray());
        Assert.Equal(new[] { 1f, 3f, 3f }, a.Clamp(1, 3).ToArray());
    }

    [Fact]
    public void SoftmaxIsStableForHugeLogits()
    {
        var x = Tensor.FromArray([1000f, 0f, -1000f]);
        var s = x.Softmax();
        Assert.Equal(new[] { 1f, 0f, 0f }, s.ToArray());
        var ls = x.LogSoftmax();
        Assert.Equal(0f, ls.ToArray()[0]);
        Assert.Equal(-1000f, ls.ToArray()[1]);
        Assert.Equal(-2000f, ls.ToArray()[2]);
    }

    [Fact]
    public void ToStringIsReadable()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        Assert.Equal("tensor([[1.0000, 2.0000], [3.0000, 4.0000]], shape=[2,2], Float32)", a.ToString());
        a.RequiresGrad = true;
        Assert.Contains("grad_fn=mul", (a * 2.0).ToString());
        var big = Tensor.Zeros([2000]);
        Assert.Contains("...", big.ToString());
    }

    [Fact]
    public void ShapeValidation()
    {
        Assert.Throws<ShapeException>(() => Tensor.Zeros([2, 3]).Reshape(4, -1));
        Assert.Throws<ShapeException>(() => Tensor.Zeros([2, 3]).Squeeze(0));
        Assert.Throws<ShapeException>(() => Tensor.FromArray([1f, 2f], 3));
        var ex = Assert.Throws<ShapeException>(() => Tensor.Zeros([2, 3]).Sum(2));
        Assert.Contains("axis 2", ex.Message);
    }
}
