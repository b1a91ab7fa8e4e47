using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Gemm (Nabla's Linear kernel when transB = 1, alpha = beta = 1 and C is a vector) and batched MatMul.</summary>
internal static class MatmulOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Gemm"] = new(BuildGemm, [1, 2], [], "alpha, beta, transA, transB; C broadcast");
        ops["MatMul"] = new(BuildMatMul, [0, 1], [], "numpy batch broadcasting, 1-D operands");
    }

    static OpPlan BuildGemm(NodeContext c)
    {
        var type = c.RequireFloat(0, 1, 2);
        double alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
        bool ta = c.Int("transA", 0) != 0, tb = c.Int("transB", 0) != 0;
        if (c.Opset < 7 && c.Has("broadcast")) c.Ignore("broadcast");
        string desc = string.Create(CultureInfo.InvariantCulture,
            $"Gemm({(ta ? "transA, " : "")}{(tb ? "transB" : "B")}{(alpha != 1 ? $", alpha {alpha}" : "")}{(beta != 1 ? $", beta {beta}" : "")})");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var a = i[0]!.F;
                var b = i[1]!.F;
                var cc = i.Length > 2 ? i[2]?.F : null;
                if (a.Rank != 2 || b.Rank != 2)
                    throw new OnnxException($"{c.Where}: A and B must be matrices; got {a.Shape} and {b.Shape}");
                if (ta) a = a.Transpose(0, 1);
                if (tb && alpha == 1 && beta == 1 && (cc is null || (cc.Rank == 1 && cc.Shape[0] == b.Shape[0])))
                    return [OnnxValue.Of(Tensor.Linear(a, b, cc))];
                var y = a.Matmul(tb ? b.Transpose(0, 1) : b);
                if (alpha != 1) y *= alpha;
                if (cc is not null && beta != 0) y += beta == 1 ? cc : cc * beta;
                return [OnnxValue.Of(y)];
            },
            OutputTypes = [type],
            Description = desc,
            Macs = (input, output) => (long)output.Numel * (ta ? input[0] : input[input.Rank - 1]),
        };
    }

    static OpPlan BuildMatMul(NodeContext c)
    {
        var type = c.RequireFloat(0, 1);
        return new OpPlan
        {
            Run = (i, _) => [OnnxValue.Of(MatMul(i[0]!.F, i[1]!.F))],
            OutputTypes = [type],
            Description = "MatMul",
            Macs = (input, output) => (long)output.Numel * input[input.Rank - 1],
        };
    }

    /// <summary>numpy.matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank <= 2 && b.Rank <= 2) return a.Matmul(b);
        bool aVec = a.Rank == 1, bVec = b.Rank == 1;
        if (aVec) a = a.Unsqueeze(0);
        if (bVec) b = b.Unsqueeze(1);
        if (b.Rank == 2)
        {
            // [.., m, k]·[k, n]: one matrix shared across the batch.
            var y = a.Matmul(b);
            if (bVec) y = y.Squeeze(-1);
            return y;
        }
        int[] da = a.Shape.ToArray(), db = b.Shape.ToArray();
        int[] batch = OpHelpers.Broadcast(da[..^2], db[..^2]);
        a = OpHelpers.BroadcastTo(a, [.. batch, da[^2], da[^1]]);
        b = OpHelpers.BroadcastTo(b, [.. batch, db[^2], db[^1]]);
        var r = a.Matmul(b);
        if (aVec) r = r.Squeeze(-2);
        if (bVec) r = r.Squeeze(-1);
        return r;
    }
}
