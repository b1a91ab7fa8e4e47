using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Softmax and log-softmax over the rows of a row-major [rows, cols] matrix, each forward followed by its backward
/// (which accumulates into dx, takes the forward's output y, and is exact in the same row order).
/// </summary>
/// <remarks>
/// The row maximum is subtracted before exponentiating, so logits of any finite magnitude work: e^(x − max) lies in
/// (0, 1] and the row sum in [1, cols]. Softmax of [1000, 0, −1000] is [1, e^−1000 → 0, 0] exactly; log-softmax of
/// it is [0, −1000, −2000]. A row containing +inf, or only −inf, gives NaN (as in PyTorch). Rows sum pairwise.
/// </remarks>
public static class Softmax
{
    /// <summary>y[r, :] = exp(x[r, :] − m) / Σ exp(x[r, :] − m), m = max x[r, :]. x and y are [rows, cols]; y may be x.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols) => ForwardCore<ExpShiftOp, float>(x, y, rows, cols);

    /// <inheritdoc cref="Forward(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void Forward(ReadOnlySpan<double> x, Span<double> y, int rows, int cols) => ForwardCore<ExpShiftOp, double>(x, y, rows, cols);

    /// <summary>Softmax backward from the output y: dx += y ⊙ (dy − Σ_c dy·y) per row. All spans are [rows, cols].</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols) => BackwardCore(y, dy, dx, rows, cols);

    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void Backward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx, int rows, int cols) => BackwardCore(y, dy, dx, rows, cols);

    /// <summary>y[r, :] = (x[r, :] − m) − ln Σ exp(x[r, :] − m), m = max x[r, :] (the subtraction in that order keeps
    /// the largest entries exact). x and y are [rows, cols]; y may be x.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols) => LogForwardCore<ExpShiftOp, float>(x, y, rows, cols);

    /// <inheritdoc cref="LogForward(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void LogForward(ReadOnlySpan<double> x, Span<double> y, int rows, int cols) => LogForwardCore<ExpShiftOp, double>(x, y, rows, cols);

    /// <summary>Log-softmax backward from the output y: dx += dy − exp(y) · Σ_c dy per row. All spans are [rows, cols].</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols) => LogBackwardCore<LogSoftmaxGradOp, float>(y, dy, dx, rows, cols);

    /// <inheritdoc cref="LogBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void LogBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx, int rows, int cols) => LogBackwardCore<LogSoftmaxGradOp, double>(y, dy, dx, rows, cols);

    // ================================================================ implementation

    private static void ForwardCore<TOp, T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where TOp : struct, IShiftedExp<TOp, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        Simd.CheckOutput(x, y, nameof(y));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            Span<T> yr = y.Slice(r * cols, cols);
            T m = Reductions.MaxCore(xr);
            Simd.Unary(TOp.Create(m), xr, yr);
            T inv = T.One / Reductions.SumCore<T>(yr);
            Simd.Unary(new ScaleOp<T>(inv), yr, yr);
        }
    }

    private static void LogForwardCore<TOp, T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where TOp : struct, IShiftedExp<TOp, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(x.Length, rows, cols, nameof(x));
        Simd.CheckOutput(x, y, nameof(y));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            Span<T> yr = y.Slice(r * cols, cols);
            T m = Reductions.MaxCore(xr);
            if (!Overlap(xr, yr))
            {
                Simd.Unary(TOp.Create(m), xr, yr); // y as scratch for e^(x − m)
                T logSum = T.Log(Reductions.SumCore<T>(yr));
                Simd.Unary(new ShiftTwiceOp<T>(m, logSum), xr, yr);
            }
            else
            {
                // In place: first y = x − m (exact or nearly), then the exponentials of y are summed from y itself.
                Simd.Unary(new ShiftTwiceOp<T>(m, T.Zero), xr, yr);
                T logSum = T.Log(SumExp<TOp, T>(yr));
                Simd.Unary(new ShiftTwiceOp<T>(T.Zero, logSum), yr, yr);
            }
        }
    }

    private static bool Overlap<T>(ReadOnlySpan<T> a, Span<T> b) => a.Overlaps(b);

    /// <summary>Σ exp(v) without writing anything, in blocks through a small stack buffer (keeps the pairwise order per block).</summary>
    private static T SumExp<TOp, T>(ReadOnlySpan<T> v) where TOp : struct, IShiftedExp<TOp, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> buffer = stackalloc T[Simd.SumBlock];
        T total = T.Zero;
        for (int start = 0; start < v.Length; start += Simd.SumBlock)
        {
            int len = Math.Min(Simd.SumBlock, v.Length - start);
            Span<T> b = buffer[..len];
            Simd.Unary(TOp.Create(T.Zero), v.Slice(start, len), b);
            total += Reductions.SumCore<T>(b);
        }
        return total;
    }

    private static void BackwardCore<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(y.Length, rows, cols, nameof(y));
        Simd.CheckInput(y, dy, nameof(dy));
        Simd.CheckOutput(y, dx, nameof(dx));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            Span<T> dxr = dx.Slice(r * cols, cols);
            T dot = Reductions.DotCore(dyr, yr);
            Simd.Ternary(new SoftmaxGradOp<T>(dot), yr, dyr, dxr, dxr);
        }
    }

    private static void LogBackwardCore<TOp, T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols)
        where TOp : struct, ILogSoftmaxGrad<TOp, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(y.Length, rows, cols, nameof(y));
        Simd.CheckInput(y, dy, nameof(dy));
        Simd.CheckOutput(y, dx, nameof(dx));
        for (int r = 0; r < rows && cols > 0; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            Span<T> dxr = dx.Slice(r * cols, cols);
            T sum = Reductions.SumCore(dyr);
            Simd.Ternary(TOp.Create(sum), yr, dyr, dxr, dxr);
        }
    }

    // ================================================================ operation structs

    /// <summary>An exp(x − m) op for element type T, constructible inside generic code.</summary>
    private interface IShiftedExp<TSelf, T> : IUnaryOp<T> where TSelf : struct, IShiftedExp<TSelf, T> where T : unmanaged
    {
        static abstract TSelf Create(T m);
    }

    /// <summary>exp(x − m): vectorised for float, System.Math for double.</summary>
    private readonly struct ExpShiftOp(double m) : IShiftedExp<ExpShiftOp, float>, IShiftedExp<ExpShiftOp, double>
    {
        static ExpShiftOp IShiftedExp<ExpShiftOp, float>.Create(float m) => new(m);
        static ExpShiftOp IShiftedExp<ExpShiftOp, double>.Create(double m) => new(m);
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => MathF.Exp(x - (float)m);
        public double Invoke(double x) => Math.Exp(x - m);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Exp(x - Vector128.Create((float)m));
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x - Vector256.Create((float)m));
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    /// <summary>(x − a) − b.</summary>
    private readonly struct ShiftTwiceOp<T>(T a, T b) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => (x - a) - b;
        public Vector128<T> Invoke(Vector128<T> x) => (x - Vector128.Create(a)) - Vector128.Create(b);
        public Vector256<T> Invoke(Vector256<T> x) => (x - Vector256.Create(a)) - Vector256.Create(b);
    }

    private readonly struct ScaleOp<T>(T c) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => x * c;
        public Vector128<T> Invoke(Vector128<T> x) => x * Vector128.Create(c);
        public Vector256<T> Invoke(Vector256<T> x) => x * Vector256.Create(c);
    }

    /// <summary>(y, dy, acc) → acc + y·(dy − dot).</summary>
    private readonly struct SoftmaxGradOp<T>(T dot) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(y, dy - dot, acc);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(y, dy - Vector128.Create(dot), acc);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(y, dy - Vector256.Create(dot), acc);
    }

    /// <summary>A log-softmax gradient op for element type T, constructible inside generic code.</summary>
    private interface ILogSoftmaxGrad<TSelf, T> : ITernaryOp<T> where TSelf : struct, ILogSoftmaxGrad<TSelf, T> where T : unmanaged
    {
        static abstract TSelf Create(T sum);
    }

    /// <summary>(y, dy, acc) → acc + dy − exp(y)·sum.</summary>
    private readonly struct LogSoftmaxGradOp(double sum) : ILogSoftmaxGrad<LogSoftmaxGradOp, float>, ILogSoftmaxGrad<LogSoftmaxGradOp, double>
    {
        static LogSoftmaxGradOp ILogSoftmaxGrad<LogSoftmaxGradOp, float>.Create(float sum) => new(sum);
        static LogSoftmaxGradOp ILogSoftmaxGrad<LogSoftmaxGradOp, double>.Create(double sum) => new(sum);
        static bool ITernaryOp<float>.Vectorizable => true;
        static bool ITernaryOp<double>.Vectorizable => false;
        public float Invoke(float y, float dy, float acc) => acc + MathF.FusedMultiplyAdd(-MathF.Exp(y), (float)sum, dy);
        public double Invoke(double y, double dy, double acc) => acc + Math.FusedMultiplyAdd(-Math.Exp(y), sum, dy);
        public Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy, Vector128<float> acc)
            => acc + VectorMath.MulAdd(-VectorMath.Exp(y), Vector128.Create((float)sum), dy);
        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
            => acc + VectorMath.MulAdd(-VectorMath.Exp(y), Vector256.Create((float)sum), dy);
        public Vector128<double> Invoke(Vector128<double> y, Vector128<double> dy, Vector128<double> acc) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> y, Vector256<double> dy, Vector256<double> acc) => NotVectorized.V256<double>();
    }
}
