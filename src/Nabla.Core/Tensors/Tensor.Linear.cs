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
        var y = Uninitialized(Shape.Wrap(dims), input.DType);
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
        bool rec = Recording(input, weight) || (bias is not null && Recording(bias));
        if (rec)
        {
            Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
            y.Record("linear", inputs, g =>
            {
                // Each gradient is written straight into its destination: beta 1 adds to an existing gradient, beta 0 overwrites.
                if (input.GradSink(out bool addX) is { } dx)
                {
                    if (g.DType == DType.Float32) Gemm.Sgemm(false, false, rows, inF, outF, 1f, g.F, outF, weight.F, inF, addX ? 1f : 0f, dx.F, inF);
                    else Gemm.Dgemm(false, false, rows, inF, outF, 1.0, g.D, outF, weight.D, inF, addX ? 1.0 : 0.0, dx.D, inF);
                }
                if (weight.GradSink(out bool addW) is { } dw)
                {
                    if (g.DType == DType.Float32) Gemm.Sgemm(true, false, outF, inF, rows, 1f, g.F, outF, input.F, inF, addW ? 1f : 0f, dw.F, inF);
                    else Gemm.Dgemm(true, false, outF, inF, rows, 1.0, g.D, outF, input.D, inF, addW ? 1.0 : 0.0, dw.D, inF);
                }
                if (bias is not null && bias.GradSink(out bool addB) is { } db)
                {
                    if (g.DType == DType.Float32)
                    {
                        if (!addB) db.F.Clear();
                        Elementwise.SumColumns(g.F, db.F, rows, outF);
                    }
                    else
                    {
                        if (!addB) db.D.Clear();
                        Elementwise.SumColumns(g.D, db.D, rows, outF);
                    }
                }
            });
        }
        return y;
    }
}
