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
        if (bias is not null) for (int r = 0; r < rows; r++) bias.CopyElements(0, y, r * outF, outF);
        DTypeDispatch.Run(input.DType, new GemmAction(false, true, rows, outF, inF, input, weight, bias is not null, y));
        bool rec = Recording(input, weight) || (bias is not null && Recording(bias));
        if (rec)
        {
            Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
            y.Record("linear", inputs, g =>
            {
                // Each gradient is written straight into its destination: beta 1 adds to an existing gradient, beta 0 overwrites.
                if (input.GradSink(out bool addX) is { } dx)
                    DTypeDispatch.Run(g.DType, new GemmAction(false, false, rows, inF, outF, g, weight, addX, dx));
                if (weight.GradSink(out bool addW) is { } dw)
                    DTypeDispatch.Run(g.DType, new GemmAction(true, false, outF, inF, rows, g, input, addW, dw));
                if (bias is not null && bias.GradSink(out bool addB) is { } db)
                {
                    if (!addB) db.Zero();
                    DTypeDispatch.Run(g.DType, new SumColumnsAction(g, db, rows, outF));
                }
            });
        }
        return y;
    }

    /// <summary>c = op(a)·op(b) (+ c when accumulate) for row-major a, b, c whose leading dimensions are their row widths.</summary>
    private readonly struct GemmAction(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, bool accumulate, Tensor c) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => Gemm.Multiply(transA, transB, m, n, k, T.One, a.AsSpan<T>(), transA ? m : k, b.AsSpan<T>(), transB ? k : n,
                accumulate ? T.One : T.Zero, c.AsSpan<T>(), n);
    }

    private readonly struct SumColumnsAction(Tensor matrix, Tensor result, int rows, int cols) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => Elementwise.SumColumns(matrix.AsSpan<T>(), result.AsSpan<T>(), rows, cols);
    }
}
