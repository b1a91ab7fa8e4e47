using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Softmax and log-softmax over the rows of a row-major [rows, cols] matrix, each forward followed by its backward
/// (which accumulates into dx, takes the forward's output y, and is exact in the same row order), for float or double.
/// </summary>
/// <remarks>
/// The row maximum is subtracted before exponentiating, so logits of any finite magnitude work: e^(x − max) lies in
/// (0, 1] and the row sum in [1, cols]. Softmax of [1000, 0, −1000] is [1, e^−1000 → 0, 0] exactly; log-softmax of
/// it is [0, −1000, −2000]. A row containing +inf, or only −inf, gives NaN (as in PyTorch). Rows sum pairwise.
/// </remarks>
public static class Softmax
{
    /// <summary>y[r, :] = exp(x[r, :] − m) / Σ exp(x[r, :] − m), m = max x[r, :]. x and y are [rows, cols]; y may be x.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        Simd.CheckOutput(x, y, nameof(y));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            Span<T> yr = y.Slice(r * cols, cols);
            T m = Reductions.Max(xr);
            Simd.Unary(new ExpShiftOp<T>(m), xr, yr);
            T inv = T.One / Reductions.Sum<T>(yr);
            Simd.Unary(new MulScalarOp<T>(inv), yr, yr);
        }
    }

    /// <summary>Softmax backward from the output y: dx += y ⊙ (dy − Σ_c dy·y) per row. All spans are [rows, cols].</summary>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(y.Length, rows, cols, nameof(y));
        Simd.CheckInput(y, dy, nameof(dy));
        Simd.CheckOutput(y, dx, nameof(dx));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            Span<T> dxr = dx.Slice(r * cols, cols);
            T dot = Reductions.Dot(dyr, yr);
            Simd.Ternary(new SoftmaxGradOp<T>(dot), yr, dyr, dxr, dxr);
        }
    }

    /// <summary>y[r, :] = (x[r, :] − m) − ln Σ exp(x[r, :] − m), m = max x[r, :] (the subtraction in that order keeps
    /// the largest entries exact). x and y are [rows, cols]; y may be x.</summary>
    public static void LogForward<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        Simd.CheckOutput(x, y, nameof(y));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            Span<T> yr = y.Slice(r * cols, cols);
            T m = Reductions.Max(xr);
            if (!xr.Overlaps(yr))
            {
                Simd.Unary(new ExpShiftOp<T>(m), xr, yr); // y as scratch for e^(x − m)
                T logSum = T.Log(Reductions.Sum<T>(yr));
                Simd.Unary(new ShiftTwiceOp<T>(m, logSum), xr, yr);
            }
            else
            {
                // In place: first y = x − m (exact or nearly), then the exponentials of y are summed from y itself.
                Simd.Unary(new ShiftTwiceOp<T>(m, T.Zero), xr, yr);
                T logSum = T.Log(SumExp<T>(yr));
                Simd.Unary(new ShiftTwiceOp<T>(T.Zero, logSum), yr, yr);
            }
        }
    }

    /// <summary>Log-softmax backward from the output y: dx += dy − exp(y) · Σ_c dy per row. All spans are [rows, cols].</summary>
    public static void LogBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(y.Length, rows, cols, nameof(y));
        Simd.CheckInput(y, dy, nameof(dy));
        Simd.CheckOutput(y, dx, nameof(dx));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            Span<T> dxr = dx.Slice(r * cols, cols);
            T sum = Reductions.Sum(dyr);
            Simd.Ternary(new LogSoftmaxGradOp<T>(sum), yr, dyr, dxr, dxr);
        }
    }

    /// <summary>Σ exp(v) without writing anything, in blocks through a small stack buffer (keeps the pairwise order per block).</summary>
    private static T SumExp<T>(ReadOnlySpan<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> buffer = stackalloc T[Simd.SumBlock];
        T total = T.Zero;
        for (int start = 0; start < v.Length; start += Simd.SumBlock)
        {
            int len = Math.Min(Simd.SumBlock, v.Length - start);
            Span<T> b = buffer[..len];
            Simd.Unary(new ExpOp<T>(), v.Slice(start, len), b);
            total += Reductions.Sum<T>(b);
        }
        return total;
    }

    // ================================================================ operation structs

    /// <summary>exp(x − m).</summary>
    private readonly struct ExpShiftOp<T>(T m) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T x) => T.Exp(x - m);
        public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Exp(x - Vector128.Create(m));
        public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Exp(x - Vector256.Create(m));
    }

    /// <summary>(x − a) − b.</summary>
    private readonly struct ShiftTwiceOp<T>(T a, T b) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T x) => (x - a) - b;
        public Vector128<T> Invoke(Vector128<T> x) => (x - Vector128.Create(a)) - Vector128.Create(b);
        public Vector256<T> Invoke(Vector256<T> x) => (x - Vector256.Create(a)) - Vector256.Create(b);
    }

    /// <summary>(y, dy, acc) → acc + y·(dy − dot).</summary>
    private readonly struct SoftmaxGradOp<T>(T dot) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(y, dy - dot, acc);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(y, dy - Vector128.Create(dot), acc);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(y, dy - Vector256.Create(dot), acc);
    }

    /// <summary>(y, dy, acc) → acc + dy − exp(y)·sum.</summary>
    private readonly struct LogSoftmaxGradOp<T>(T sum) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T y, T dy, T acc) => acc + T.FusedMultiplyAdd(-T.Exp(y), sum, dy);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => acc + VectorMath.MulAdd(-VectorMath.Exp(y), Vector128.Create(sum), dy);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => acc + VectorMath.MulAdd(-VectorMath.Exp(y), Vector256.Create(sum), dy);
    }
}
