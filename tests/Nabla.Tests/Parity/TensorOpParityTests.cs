using System.Text.Json;
using Nabla.Tensors;
using Xunit;
using Xunit.Abstractions;
using static Nabla.Tests.Parity.ParityFixture;

namespace Nabla.Tests.Parity;

/// <summary>
/// Tensor operations against PyTorch: elementwise arithmetic with broadcasting, scalar operands, unary functions and
/// activations (kinks included), softmax, reductions over several axes, matmul and the shaping and indexing operations.
/// Each case computes y, then backpropagates PyTorch's random upstream gradient ∂L/∂y and compares y and every ∂L/∂input.
/// </summary>
public class TensorOpParityTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> TensorOps => Names("tensor_ops");

    [Theory]
    [MemberData(nameof(TensorOps))]
    public void MatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        var inputs = c.GetProperty("inputs");
        var grads = c.TryGetProperty("grads", out var g) ? g : default;
        var leaves = new Dictionary<string, Tensor>();
        foreach (var p in inputs.EnumerateObject())
            leaves[p.Name] = ToTensor(p.Value, requiresGrad: grads.ValueKind == JsonValueKind.Object && grads.TryGetProperty(p.Name, out _));
        var y = Apply(c.GetProperty("op").GetString()!, c.GetProperty("args"), leaves);
        check.Tensor("y", c.GetProperty("outputs").GetProperty("y"), y);
        if (grads.ValueKind == JsonValueKind.Object)
        {
            y.Backward(ToTensor(c.GetProperty("upstream").GetProperty("y")));
            foreach (var p in grads.EnumerateObject()) check.Tensor("d" + p.Name, p.Value, leaves[p.Name].Grad);
        }
        check.Verify();
    }

    private static Tensor Apply(string op, JsonElement args, Dictionary<string, Tensor> t)
    {
        Tensor a = t.GetValueOrDefault("a")!;
        Tensor b = t.GetValueOrDefault("b")!;
        double s = Num(args, "s"), p = Num(args, "p");
        return op switch
        {
            "add" => a + b,
            "sub" => a - b,
            "mul" => a * b,
            "div" => a / b,
            "maximum" => a.Maximum(b),
            "minimum" => a.Minimum(b),
            "pow" => a.Pow(b),
            "add_scalar" => a + s,
            "rsub_scalar" => s - a,
            "mul_scalar" => a * s,
            "rdiv_scalar" => s / a,
            "div_scalar" => a / s,
            _ when op.StartsWith("pow_scalar", StringComparison.Ordinal) => a.Pow(p),
            "maximum_scalar" => a.Maximum(s),
            "minimum_scalar" => a.Minimum(s),
            "exp" => a.Exp(),
            "log" => a.Log(),
            "sqrt" => a.Sqrt(),
            "abs" => a.Abs(),
            "neg" => -a,
            "square" => a.Square(),
            "clamp" => a.Clamp(Num(args, "min"), Num(args, "max")),
            "relu" => a.ReLU(),
            "leaky_relu" => a.LeakyReLU(Num(args, "alpha")),
            "elu" => a.ELU(Num(args, "alpha")),
            "sigmoid" => a.Sigmoid(),
            "tanh" => a.Tanh(),
            "gelu" => a.GELU(),
            "silu" => a.SiLU(),
            "softplus" => a.Softplus(),
            "softmax" => a.Softmax(Int(args, "axis")),
            "log_softmax" => a.LogSoftmax(Int(args, "axis")),
            "sum" or "mean" or "max" or "min" or "var" or "var_unbiased" => Reduce(op, a, IntArray(args, "axes"), Bool(args, "keepdim")),
            "argmax" => a.ArgMax(Int(args, "axis"), Bool(args, "keepdim")),
            "matmul" => a.Matmul(b),
            "reshape" => a.Reshape(IntArray(args, "shape")!),
            "permute" => a.Permute(IntArray(args, "perm")!),
            "transpose" => a.Transpose(Int(args, "axis0"), Int(args, "axis1")),
            "flatten" => a.Flatten(Int(args, "start"), Int(args, "end")),
            "squeeze" => a.Squeeze(Int(args, "axis")),
            "unsqueeze" => a.Unsqueeze(Int(args, "axis")),
            "narrow" => a.Narrow(Int(args, "axis"), Int(args, "start"), Int(args, "length")),
            "index_select" => a.IndexSelect(Int(args, "axis"), IntArray(args, "indices")),
            "gather" => a.Gather(Int(args, "axis"), IndexTensor(args.GetProperty("index"))),
            "concat" => Tensor.Concat([a, b], Int(args, "axis")),
            "stack" => Tensor.Stack([a, b], Int(args, "axis")),
            "where" => Tensor.Where(t["cond"], a, b),
            "greater" => a.Greater(b),
            "greater_equal" => a.GreaterEqual(b),
            "less" => a.Less(b),
            "less_equal" => a.LessEqual(b),
            "equal" => a.Equal(b),
            "one_hot" => Tensor.OneHot(t["labels"].ToDoubleArray().Select(v => (int)v).ToArray(), Int(args, "classes"), DType.Float64),
            _ => throw new NotSupportedException($"parity: operation '{op}' has no Nabla counterpart in the replay"),
        };
    }

    private static Tensor Reduce(string op, Tensor a, int[]? axes, bool keep)
    {
        int correction = op == "var_unbiased" ? 1 : 0;
        if (axes is null)
            return op switch
            {
                "sum" => a.Sum(),
                "mean" => a.Mean(),
                "max" => a.Max(),
                "min" => a.Min(),
                _ => a.Variance(correction),
            };
        return op switch
        {
            "sum" => a.Sum(axes, keep),
            "mean" => a.Mean(axes, keep),
            "max" => a.Max(axes, keep),
            "min" => a.Min(axes, keep),
            _ => a.Variance(axes, keep, correction),
        };
    }

    // [[0, 3], [2, 2], ...] as a float64 tensor of positions
    private static Tensor IndexTensor(JsonElement rows)
    {
        var r = rows.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return Tensor.FromArray(r.SelectMany(x => x).ToArray(), r.Length, r[0].Length);
    }
}
