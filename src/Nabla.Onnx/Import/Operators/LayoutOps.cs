using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// DepthToSpace and SpaceToDepth (reshape and permute), Trilu (a triangular selection) and CumSum (a product with a
/// triangular matrix): all differentiable.
/// </summary>
internal static class LayoutOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["DepthToSpace"] = new(BuildDepthToSpace, "DCR and CRD modes");
        ops["SpaceToDepth"] = new(c =>
        {
            var type = c.RequireNumeric(0);
            int b = checked((int)c.Int("blocksize", 0));
            if (b < 1) throw c.Invalid($"blocksize {b}");
            return Plan(c, type, "SpaceToDepth", t =>
            {
                int n = t.Shape[0], ch = t.Shape[1], h = t.Shape[2], w = t.Shape[3];
                return t.Reshape(n, ch, h / b, b, w / b, b).Permute(0, 3, 5, 1, 2, 4).Reshape(n, ch * b * b, h / b, w / b);
            });
        });
        ops["Trilu"] = new(BuildTrilu);
        ops["CumSum"] = new(BuildCumSum, "exclusive and reverse");
    }

    static OpPlan Plan(NodeContext c, DataType type, string name, Func<Tensor, Tensor> f) =>
        new() { Run = (i, _) => [OpHelpers.Map(i[0]!, f)], OutputTypes = [type], Description = name };

    static OpPlan BuildDepthToSpace(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        int b = checked((int)c.Int("blocksize", 0));
        if (b < 1) throw c.Invalid($"blocksize {b}");
        string mode = c.String("mode", "DCR");
        if (mode is not ("DCR" or "CRD")) throw c.Invalid($"mode '{mode}'");
        return Plan(c, type, $"DepthToSpace({mode})", t =>
        {
            int n = t.Shape[0], ch = t.Shape[1] / (b * b), h = t.Shape[2], w = t.Shape[3];
            var r = mode == "DCR"
                ? t.Reshape(n, b, b, ch, h, w).Permute(0, 3, 4, 1, 5, 2)
                : t.Reshape(n, ch, b, b, h, w).Permute(0, 1, 4, 2, 5, 3);
            return r.Reshape(n, ch, h * b, w * b);
        });
    }

    static OpPlan BuildTrilu(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        c.RequireTypes(1, DataType.Int64);
        bool upper = c.Int("upper", 1) != 0;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                long k = i.Length > 1 && i[1] is { } kv ? kv.I[0] : 0;
                return [OpHelpers.Map(i[0]!, t =>
                {
                    int rows = t.Shape[-2], cols = t.Shape[-1];
                    var mask = new double[rows * cols];
                    for (int r = 0; r < rows; r++)
                        for (int col = 0; col < cols; col++)
                            mask[r * cols + col] = (upper ? col - r >= k : col - r <= k) ? 1 : 0;
                    return Tensor.Where(Tensor.FromArray(mask, rows, cols).ToDType(t.DType), t, Tensor.Zeros([1], t.DType));
                })];
            },
            OutputTypes = [type],
            Description = upper ? "Trilu(upper)" : "Trilu(lower)",
        };
    }

    static OpPlan BuildCumSum(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        c.RequireTypes(1, DataType.Int64, DataType.Int32);
        bool exclusive = c.Int("exclusive", 0) != 0, reverse = c.Int("reverse", 0) != 0;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var v = i[0]!;
                int a = OpHelpers.Axis(i[1]!.I[0], v.Dims.Length, c);
                return [OpHelpers.Map(v, t =>
                {
                    int n = t.Shape[a], last = t.Rank - 1;
                    // out[j] = Σ_i x[i]·T[i, j]: T[i, j] = 1 where i ≤ j (i < j exclusive; mirrored when reversed).
                    var tri = new double[n * n];
                    for (int r = 0; r < n; r++)
                        for (int col = 0; col < n; col++)
                            tri[r * n + col] = (reverse ? (exclusive ? r > col : r >= col) : (exclusive ? r < col : r <= col)) ? 1 : 0;
                    var moved = a == last ? t : t.Transpose(a, last);
                    var summed = moved.Matmul(Tensor.FromArray(tri, n, n).ToDType(t.DType));
                    return a == last ? summed : summed.Transpose(a, last);
                })];
            },
            OutputTypes = [type],
            Description = "CumSum",
        };
    }
}
