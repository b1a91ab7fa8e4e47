using Nabla.Errors;
using Nabla.Kernels;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product. [m,k]·[k,n] → [m,n]; batched [..,m,k]·[..,k,n] with equal batch dimensions;
    /// [..,m,k]·[k,n] shares the right matrix across the batch; a 1-D operand is a row (left) or column (right) vector.
    /// Backward: dA = dC·Bᵀ and dB = Aᵀ·dC, computed by GEMM on the stored operands without materializing transposes.
    /// </summary>
    public Tensor Matmul(Tensor b)
    {
        var a = this;
        if (a.Rank == 0 || b.Rank == 0) throw new ShapeException($"matmul: scalars have no matrix product (shapes {a.Shape} and {b.Shape})");
        if (a.Rank == 1) return a.Unsqueeze(0).Matmul(b).Squeeze(-2);
        if (b.Rank == 1) return a.Matmul(b.Unsqueeze(1)).Squeeze(-1);
        a.CheckSameDType(b, "matmul");
        int m = a.Shape[-2], k = a.Shape[-1], k2 = b.Shape[-2], n = b.Shape[-1];
        if (k != k2) throw new ShapeException($"matmul: {a.Shape} x {b.Shape}: inner dimensions {k} and {k2} differ");
        bool shared = b.Rank == 2;
        int batch = a.Shape.Product(0, a.Rank - 2);
        if (!shared)
        {
            if (a.Rank != b.Rank || a.Shape.Product(0, a.Rank - 2) != b.Shape.Product(0, b.Rank - 2)
                || !a.Shape.Dims[..^2].SequenceEqual(b.Shape.Dims[..^2]))
                throw new ShapeException($"matmul: {a.Shape} x {b.Shape}: batch dimensions differ");
        }
        var dims = a.Shape.ToArray();
        dims[^1] = n;
        var y = Empty(Shape.Wrap(dims), a.DType);
        if (shared) MatmulKernel(a, false, b, false, y, batch * m, n, k, 1, 0f, 0, k * n);
        else MatmulKernel(a, false, b, false, y, m, n, k, batch, 0f, m * k, k * n);
        if (Recording(a, b))
            y.Record("matmul", [a, b], g =>
            {
                if (a.RequiresGrad)
                {
                    var da = EmptyLike(a); // dA[m,k] = g[m,n] · Bᵀ
                    if (shared) MatmulKernel(g, false, b, true, da, batch * m, k, n, 1, 0f, 0, 0);
                    else MatmulKernel(g, false, b, true, da, m, k, n, batch, 0f, m * n, k * n);
                    a.AccumulateGrad(da);
                }
                if (b.RequiresGrad)
                {
                    var db = EmptyLike(b); // dB[k,n] = Aᵀ · g
                    if (shared) MatmulKernel(a, true, g, false, db, k, n, batch * m, 1, 0f, batch * m * k, 0);
                    else MatmulKernel(a, true, g, false, db, k, n, m, batch, 0f, m * k, m * n);
                    b.AccumulateGrad(db);
                }
            });
        return y;
    }

    /// <summary>
    /// c_i = op(a_i)·op(b_i) for i &lt; batch, where a_i starts at i·strideA, b_i at i·strideB and c_i at i·m·n.
    /// op(a_i) is [m,kk] (stored [kk,m] when transA); op(b_i) is [kk,n] (stored [n,kk] when transB).
    /// </summary>
    private static void MatmulKernel(Tensor a, bool transA, Tensor b, bool transB, Tensor c, int m, int n, int kk, int batch, float beta, int strideA, int strideB)
    {
        DTypeDispatch.Run(a.DType, new BatchedGemm(a, transA, b, transB, c, m, n, kk, batch, beta, strideA, strideB));
    }

    private readonly struct BatchedGemm(Tensor a, bool transA, Tensor b, bool transB, Tensor c, int m, int n, int kk, int batch, float beta, int strideA, int strideB) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            int lda = transA ? m : kk, ldb = transB ? kk : n;
            Span<T> sa = a.AsSpan<T>(), sb = b.AsSpan<T>(), sc = c.AsSpan<T>();
            for (int i = 0; i < batch; i++)
                Gemm.Multiply(transA, transB, m, n, kk, T.One, sa[(i * strideA)..], lda, sb[(i * strideB)..], ldb, T.CreateTruncating(beta), sc.Slice(i * m * n, m * n), n);
        }
    }
}
