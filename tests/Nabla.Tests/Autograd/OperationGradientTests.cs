using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Autograd;

/// <summary>A float64 central-difference gradient check for every differentiable tensor operation.</summary>
public class OperationGradientTests
{
    public static TheoryData<int[], int[]> BroadcastPairs => new()
    {
        { [3, 4], [3, 4] },
        { [3, 4], [4] },
        { [3, 4], [3, 1] },
        { [2, 3, 1], [3, 4] },
        { [1], [2, 3] },
        { [], [2, 2] },
    };

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Add(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2); AssertGradients(() => a + b, a, b); }

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Sub(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2); AssertGradients(() => a - b, a, b); }

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Mul(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2); AssertGradients(() => a * b, a, b); }

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Div(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2, 0.5, 2); AssertGradients(() => a / b, a, b); }

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Maximum(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2); AssertGradients(() => a.Maximum(b), a, b); }

    [Theory, MemberData(nameof(BroadcastPairs))]
    public void Minimum(int[] sa, int[] sb) { var a = Rand64(sa, 1); var b = Rand64(sb, 2); AssertGradients(() => a.Minimum(b), a, b); }

    [Fact]
    public void PowTensorAndScalar()
    {
        var a = Rand64([3, 4], 1, 0.5, 2); var b = Rand64([4], 2);
        AssertGradients(() => a.Pow(b), a, b);
        AssertGradients(() => a.Pow(3.0), a);
        AssertGradients(() => a.Pow(-0.5), a);
    }

    [Fact] public void Neg() { var a = Rand64([5], 1); AssertGradients(() => -a, a); }
    [Fact] public void ScalarArithmetic() { var a = Rand64([5], 1, 0.5, 2); AssertGradients(() => (2.0 - a) * 3.0 + 1.0 / a - a / 4.0, a); }
    [Fact] public void Exp() { var a = Rand64([3, 4], 1); AssertGradients(() => a.Exp(), a); }
    [Fact] public void Log() { var a = Rand64([3, 4], 1, 0.1, 3); AssertGradients(() => a.Log(), a); }
    [Fact] public void Sqrt() { var a = Rand64([3, 4], 1, 0.1, 3); AssertGradients(() => a.Sqrt(), a); }
    [Fact] public void Abs() { var a = Rand64([3, 4], 1); AssertGradients(() => a.Abs(), a); }
    [Fact] public void Square() { var a = Rand64([3, 4], 1); AssertGradients(() => a.Square(), a); }
    [Fact] public void Clamp() { var a = Rand64([4, 5], 1, -2, 2); AssertGradients(() => a.Clamp(-0.5, 0.7), a); }
    [Fact] public void ReLU() { var a = Rand64([4, 5], 1); AssertGradients(() => a.ReLU(), a); }
    [Fact] public void LeakyReLU() { var a = Rand64([4, 5], 1); AssertGradients(() => a.LeakyReLU(0.1), a); }
    [Fact] public void ELU() { var a = Rand64([4, 5], 1, -3, 3); AssertGradients(() => a.ELU(0.7), a); }
    [Fact] public void Sigmoid() { var a = Rand64([4, 5], 1, -6, 6); AssertGradients(() => a.Sigmoid(), a); }
    [Fact] public void Tanh() { var a = Rand64([4, 5], 1, -3, 3); AssertGradients(() => a.Tanh(), a); }
    [Fact] public void GELU() { var a = Rand64([4, 5], 1, -4, 4); AssertGradients(() => a.GELU(), a); }
    [Fact] public void SiLU() { var a = Rand64([4, 5], 1, -4, 4); AssertGradients(() => a.SiLU(), a); }
    [Fact] public void Softplus() { var a = Rand64([4, 5], 1, -4, 4); AssertGradients(() => a.Softplus(), a); }

    [Theory, InlineData(0), InlineData(1), InlineData(2), InlineData(-1)]
    public void Softmax(int axis) { var a = Rand64([2, 3, 4], 1, -3, 3); AssertGradients(() => a.Softmax(axis), a); }

    [Theory, InlineData(0), InlineData(1), InlineData(2)]
    public void LogSoftmax(int axis) { var a = Rand64([2, 3, 4], 1, -3, 3); AssertGradients(() => a.LogSoftmax(axis), a); }

    public static TheoryData<int[], bool> AxisSets => new()
    {
        { [0], false }, { [1], false }, { [2], false }, { [0], true }, { [1], true }, { [2], true },
        { [0, 2], false }, { [1, 2], true }, { [-1], false }, { [0, 1, 2], false },
    };

    [Theory, MemberData(nameof(AxisSets))]
    public void Sum(int[] axes, bool keep) { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Sum(axes, keep), a); }

    [Theory, MemberData(nameof(AxisSets))]
    public void Mean(int[] axes, bool keep) { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Mean(axes, keep), a); }

    [Theory, MemberData(nameof(AxisSets))]
    public void Max(int[] axes, bool keep) { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Max(axes, keep), a); }

    [Theory, MemberData(nameof(AxisSets))]
    public void Min(int[] axes, bool keep) { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Min(axes, keep), a); }

    [Theory, MemberData(nameof(AxisSets))]
    public void Variance(int[] axes, bool keep) { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Variance(axes, keep, 1), a); }

    [Fact] public void SumAll() { var a = Rand64([2, 3], 1); AssertGradients(() => a.Sum(), a); }

    [Fact]
    public void Matmul2D() { var a = Rand64([3, 4], 1); var b = Rand64([4, 5], 2); AssertGradients(() => a.Matmul(b), a, b); }

    [Fact]
    public void MatmulBatched() { var a = Rand64([2, 3, 4], 1); var b = Rand64([2, 4, 5], 2); AssertGradients(() => a.Matmul(b), a, b); }

    [Fact]
    public void MatmulSharedRight() { var a = Rand64([2, 3, 4], 1); var b = Rand64([4, 5], 2); AssertGradients(() => a.Matmul(b), a, b); }

    [Fact]
    public void MatmulVectors()
    {
        var m = Rand64([3, 4], 1); var v = Rand64([4], 2); var u = Rand64([3], 3);
        AssertGradients(() => m.Matmul(v), m, v);
        AssertGradients(() => u.Matmul(m), u, m);
    }

    [Fact] public void Reshape() { var a = Rand64([2, 6], 1); AssertGradients(() => a.Reshape(3, -1) * Rand64([3, 4], 9).Detach(), a); }
    [Fact] public void Flatten() { var a = Rand64([2, 3, 2], 1); AssertGradients(() => a.Flatten(1) * Rand64([2, 6], 9).Detach(), a); }
    [Fact] public void SqueezeUnsqueeze() { var a = Rand64([3, 1, 2], 1); AssertGradients(() => a.Squeeze(1).Unsqueeze(0).Exp(), a); }
    [Fact] public void Permute() { var a = Rand64([2, 3, 4], 1); AssertGradients(() => a.Permute(2, 0, 1) * Rand64([4, 2, 3], 9).Detach(), a); }
    [Fact] public void Transpose() { var a = Rand64([3, 4], 1); AssertGradients(() => a.T.Exp(), a); }
    [Fact] public void NarrowRowsAndColumns() { var a = Rand64([4, 5], 1); AssertGradients(() => a.Narrow(0, 1, 2).Narrow(1, 0, 3).Exp() + a.Narrow(1, 2, 3).Narrow(0, 0, 2), a); }
    [Fact] public void IndexSelect() { var a = Rand64([4, 3], 1); AssertGradients(() => a.IndexSelect(0, [3, 0, 3]).Exp() + a.IndexSelect(1, [2, 2, 1]).Narrow(0, 0, 3), a); }

    [Fact]
    public void Gather()
    {
        var a = Rand64([3, 4], 1);
        var idx = Tensor.FromArray(new double[] { 0, 3, 1, 1, 2, 2 }, 3, 2);
        AssertGradients(() => a.Gather(1, idx).Exp(), a);
    }

    [Fact]
    public void ConcatAndStack()
    {
        var a = Rand64([2, 3], 1); var b = Rand64([2, 2], 2); var c = Rand64([2, 3], 3);
        AssertGradients(() => Tensor.Concat([a, b, c], 1).Exp(), a, b, c);
        AssertGradients(() => Tensor.Stack([a, c], 1).Exp(), a, c);
    }

    [Fact]
    public void Where()
    {
        var a = Rand64([3, 4], 1); var b = Rand64([4], 2);
        var cond = Tensor.FromArray(new double[] { 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0 }, 3, 4);
        AssertGradients(() => Tensor.Where(cond, a, b), a, b);
    }

    [Fact]
    public void ToDTypeRoundTrip()
    {
        // The float32 leg rounds to ~6e-8 relative, so a larger step keeps the difference quotient exact enough.
        var a = Rand64([3], 1);
        var r = Nabla.Autograd.GradCheck.Check(() => a.ToDType(DType.Float32).ToDType(DType.Float64) * 2.0, [a], step: 1e-2);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void ComposedExpression()
    {
        var x = Rand64([5, 3], 1); var w = Rand64([3, 4], 2); var b = Rand64([4], 3);
        AssertGradients(() => (x.Matmul(w) + b).Tanh().Softmax().Log().Mean(), x, w, b);
    }
}
