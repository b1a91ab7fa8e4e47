using Nabla.Errors;
using Nabla.Kernels;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The fully connected map y = x·Wᵀ + b of a layer of neurons, each a weighted sum plus a bias.
    /// x is [.., in], <paramref name="weight"/> is [out, in] (one row per neuron), <paramref name="bias"/> is [out] or null; y is [.., out].
    /// Backward: dx = dy·W, dW += dyᵀ·x, db += Σ_rows dy; all by GEMM on the stored operands.
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ShapeException($"linear: weight must be [out, in], got {weight.Shape}");
        int outF = weight.Shape[0], inF = weight.Shape[1];
        if (input.Rank == 0 || input.Shape[-1] != inF)
            throw new ShapeException($"linear: input {input.Shape} does not end in the weight's {inF} input features (weight {weight.Shape})");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ShapeException($"linear: bias must be [{outF}], got {bias.Shape}");
        input.CheckSameDType(weight, "linear");
        int rows = input.Numel / inF;
        var dims = input.Shape.ToArray();
        dims[^1] = outF;
        var y = Empty(Shape.Wrap(dims), input.DType);
        if (input.DType == DType.Float32)
        {
            if (bias is not null) for (int r = 0; r < rows; r++) bias.F.CopyTo(y.F.Slice(r * outF, outF));
            Gemm.Sgemm(false, true, rows, outF, inF, 1f, input.F, inF, weight.F, inF, bias is null ? 0f : 1f, y.F, outF);
        }
        else
        {
            if (bias is not null) for (int r = 0; r < rows; r++) bias.D.CopyTo(y.D.Slice(r * outF, outF));
            Gemm.Dgemm(false, true, rows, outF, inF, 1.0, input.D, inF, weight.D, inF, bias is null ? 0.0 : 1.0, y.D, outF);
        }
        var inputs = bias is null ? new[] { input, weight } : new[] { input, weight, bias };
        bool rec = false;
        foreach (var t in inputs) rec |= Recording(t);
        if (rec)
            y.Record("linear", inputs, g =>
            {
                if (input.RequiresGrad)
                {
                    var dx = EmptyLike(input);
                    if (g.DType == DType.Float32) Gemm.Sgemm(false, false, rows, inF, outF, 1f, g.F, outF, weight.F, inF, 0f, dx.F, inF);
                    else Gemm.Dgemm(false, false, rows, inF, outF, 1.0, g.D, outF, weight.D, inF, 0.0, dx.D, inF);
                    input.AccumulateGrad(dx);
                }
                if (weight.RequiresGrad)
                {
                    var dw = EmptyLike(weight);
                    if (g.DType == DType.Float32) Gemm.Sgemm(true, false, outF, inF, rows, 1f, g.F, outF, input.F, inF, 0f, dw.F, inF);
                    else Gemm.Dgemm(true, false, outF, inF, rows, 1.0, g.D, outF, input.D, inF, 0.0, dw.D, inF);
                    weight.AccumulateGrad(dw);
                }
                if (bias is not null && bias.RequiresGrad)
                    bias.AccumulateGrad(g.Reshape(rows, outF).Sum(0));
            });
        return y;
    }
}
