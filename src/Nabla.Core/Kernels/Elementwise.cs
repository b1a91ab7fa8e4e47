using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Elementwise arithmetic over spans, each forward followed by its backward.
/// </summary>
/// <remarks>
/// Conventions shared by every kernel in this folder:
/// <list type="bullet">
/// <item>Inputs come first, outputs after, matrix dimensions last; all spans of one call have the same length.</item>
/// <item>A forward kernel overwrites its output. A backward kernel <b>accumulates</b> into its gradient
/// (<c>dx += ∂y/∂x · dy</c>), because a tensor used twice receives the sum of both gradients; zero the gradient
/// once before the backward pass. Where a backward kernel has two gradients, an empty span skips that one.</item>
/// <item>An output may be the very same span as an input (in place); a partial overlap throws.</item>
/// <item>The result of an element never depends on the span length or on where the element sits (the last partial
/// vector is computed with the same vector code), so results are deterministic on a given machine.</item>
/// </list>
/// Single precision runs on 256-bit vectors with AVX2+FMA, on 128-bit vectors elsewhere; double precision is
/// vectorised for arithmetic and scalar (System.Math) for transcendentals: it exists for gradient checks.
/// </remarks>
public static class Elementwise
{
    // ================================================================ Add, Sub

    /// <summary>y = a + b. Backward: da += dy and db += dy (<see cref="Accumulate(ReadOnlySpan{float}, Span{float})"/>).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new AddOp<float>(), a, b, y);

    /// <inheritdoc cref="Add(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Add(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new AddOp<double>(), a, b, y);

    /// <summary>y = a − b. Backward: da += dy (<see cref="Accumulate(ReadOnlySpan{float}, Span{float})"/>) and db −= dy (<see cref="Axpy(float, ReadOnlySpan{float}, Span{float})"/> with alpha = −1).</summary>
    public static void Sub(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new SubOp<float>(), a, b, y);

    /// <inheritdoc cref="Sub(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Sub(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new SubOp<double>(), a, b, y);

    /// <summary>y += x: the accumulation every gradient goes through.</summary>
    public static void Accumulate(ReadOnlySpan<float> x, Span<float> y) => Simd.Binary(new AddOp<float>(), x, y, y);

    /// <inheritdoc cref="Accumulate(ReadOnlySpan{float}, Span{float})"/>
    public static void Accumulate(ReadOnlySpan<double> x, Span<double> y) => Simd.Binary(new AddOp<double>(), x, y, y);

    /// <summary>y += alpha · x (BLAS axpy).</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y) => Simd.Binary(new AxpyOp<float>(alpha), x, y, y);

    /// <inheritdoc cref="Axpy(float, ReadOnlySpan{float}, Span{float})"/>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => Simd.Binary(new AxpyOp<double>(alpha), x, y, y);

    // ================================================================ Mul, Div

    /// <summary>y = a · b.</summary>
    public static void Mul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new MulOp<float>(), a, b, y);

    /// <inheritdoc cref="Mul(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Mul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new MulOp<double>(), a, b, y);

    /// <summary>Backward of <see cref="Mul(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>: da += dy · b, db += dy · a (an empty span skips that gradient).</summary>
    public static void MulBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db)
    {
        if (!da.IsEmpty) Simd.Ternary(new MulAccOp<float>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Ternary(new MulAccOp<float>(), a, dy, db, db);
    }

    /// <inheritdoc cref="MulBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    public static void MulBackward(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> dy, Span<double> da, Span<double> db)
    {
        if (!da.IsEmpty) Simd.Ternary(new MulAccOp<double>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Ternary(new MulAccOp<double>(), a, dy, db, db);
    }

    /// <summary>y = a / b (IEEE: x/0 is ±inf, 0/0 is NaN).</summary>
    public static void Div(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new DivOp<float>(), a, b, y);

    /// <inheritdoc cref="Div(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Div(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new DivOp<double>(), a, b, y);

    /// <summary>Backward of <see cref="Div(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>: da += dy / b, db −= dy · a / b² (an empty span skips that gradient).</summary>
    public static void DivBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db)
    {
        if (!da.IsEmpty) Simd.Ternary(new DivAccOp<float>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new DivDenominatorGradOp<float>(), a, b, dy, db, db);
    }

    /// <inheritdoc cref="DivBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    public static void DivBackward(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> dy, Span<double> da, Span<double> db)
    {
        if (!da.IsEmpty) Simd.Ternary(new DivAccOp<double>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new DivDenominatorGradOp<double>(), a, b, dy, db, db);
    }

    // ================================================================ with a scalar

    /// <summary>y = x + c. Backward: dx += dy.</summary>
    public static void AddScalar(ReadOnlySpan<float> x, float c, Span<float> y) => Simd.Unary(new AddScalarOp<float>(c), x, y);

    /// <inheritdoc cref="AddScalar(ReadOnlySpan{float}, float, Span{float})"/>
    public static void AddScalar(ReadOnlySpan<double> x, double c, Span<double> y) => Simd.Unary(new AddScalarOp<double>(c), x, y);

    /// <summary>y = c · x. Backward: dx += c · dy (<see cref="Axpy(float, ReadOnlySpan{float}, Span{float})"/>).</summary>
    public static void MulScalar(ReadOnlySpan<float> x, float c, Span<float> y) => Simd.Unary(new MulScalarOp<float>(c), x, y);

    /// <inheritdoc cref="MulScalar(ReadOnlySpan{float}, float, Span{float})"/>
    public static void MulScalar(ReadOnlySpan<double> x, double c, Span<double> y) => Simd.Unary(new MulScalarOp<double>(c), x, y);

    // ================================================================ Neg, Abs, Square, Sqrt

    /// <summary>y = −x. Backward: dx −= dy (<see cref="Axpy(float, ReadOnlySpan{float}, Span{float})"/> with alpha = −1).</summary>
    public static void Neg(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new NegOp<float>(), x, y);

    /// <inheritdoc cref="Neg(ReadOnlySpan{float}, Span{float})"/>
    public static void Neg(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new NegOp<double>(), x, y);

    /// <summary>y = |x|.</summary>
    public static void Abs(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new AbsOp<float>(), x, y);

    /// <inheritdoc cref="Abs(ReadOnlySpan{float}, Span{float})"/>
    public static void Abs(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new AbsOp<double>(), x, y);

    /// <summary>Backward of Abs, from the input: dx += sign(x) · dy, with sign(0) = 0 (PyTorch's choice: 0 is the
    /// subgradient that leaves an exact zero where it is).</summary>
    public static void AbsBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new AbsGradOp<float>(), x, dy, dx, dx);

    /// <inheritdoc cref="AbsBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void AbsBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new AbsGradOp<double>(), x, dy, dx, dx);

    /// <summary>y = x².</summary>
    public static void Square(ReadOnlySpan<float> x, Span<float> y) => Simd.Binary(new MulOp<float>(), x, x, y);

    /// <inheritdoc cref="Square(ReadOnlySpan{float}, Span{float})"/>
    public static void Square(ReadOnlySpan<double> x, Span<double> y) => Simd.Binary(new MulOp<double>(), x, x, y);

    /// <summary>Backward of Square, from the input: dx += 2x · dy.</summary>
    public static void SquareBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new SquareGradOp<float>(), x, dy, dx, dx);

    /// <inheritdoc cref="SquareBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void SquareBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new SquareGradOp<double>(), x, dy, dx, dx);

    /// <summary>y = √x (correctly rounded; NaN for x &lt; 0).</summary>
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new SqrtOp<float>(), x, y);

    /// <inheritdoc cref="Sqrt(ReadOnlySpan{float}, Span{float})"/>
    public static void Sqrt(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new SqrtOp<double>(), x, y);

    /// <summary>Backward of Sqrt, from the <b>output</b> (no square root needed): dx += dy / (2y).</summary>
    public static void SqrtBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new SqrtGradOp<float>(), y, dy, dx, dx);

    /// <inheritdoc cref="SqrtBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void SqrtBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new SqrtGradOp<double>(), y, dy, dx, dx);

    // ================================================================ Exp, Log, Pow

    /// <summary>y = eˣ (single precision: vectorised, within 1 ulp; overflow gives +inf, underflow goes through the subnormals to 0).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new ExpOp(), x, y);

    /// <inheritdoc cref="Exp(ReadOnlySpan{float}, Span{float})"/>
    public static void Exp(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new ExpOpD(), x, y);

    /// <summary>Backward of Exp, from the <b>output</b>: dx += y · dy.</summary>
    public static void ExpBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new MulAccOp<float>(), y, dy, dx, dx);

    /// <inheritdoc cref="ExpBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void ExpBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new MulAccOp<double>(), y, dy, dx, dx);

    /// <summary>y = ln x (single precision: vectorised, within 1 ulp; ln 0 = −inf, ln of a negative number is NaN).</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new LogOp(), x, y);

    /// <inheritdoc cref="Log(ReadOnlySpan{float}, Span{float})"/>
    public static void Log(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new LogOpD(), x, y);

    /// <summary>Backward of Log, from the input: dx += dy / x.</summary>
    public static void LogBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new DivAccOp<float>(), x, dy, dx, dx);

    /// <inheritdoc cref="LogBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void LogBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new DivAccOp<double>(), x, dy, dx, dx);

    /// <summary>
    /// y = xᵖ with the semantics of Math.Pow. An integer p (|p| ≤ 65536) is vectorised by binary powering in double
    /// precision, exact to the final rounding and valid for negative x; any other p runs scalar Math.Pow.
    /// </summary>
    public static void Pow(ReadOnlySpan<float> x, float p, Span<float> y)
    {
        if (IsSmallInteger(p, out int k)) Simd.Unary(new PowIntOp(k), x, y);
        else Simd.Unary(new PowOp<float>(p), x, y);
    }

    /// <inheritdoc cref="Pow(ReadOnlySpan{float}, float, Span{float})"/>
    public static void Pow(ReadOnlySpan<double> x, double p, Span<double> y)
    {
        if (IsSmallInteger(p, out int k)) Simd.Unary(new PowIntOpD(k), x, y);
        else Simd.Unary(new PowOp<double>(p), x, y);
    }

    /// <summary>Backward of Pow, from the input: dx += p · xᵖ⁻¹ · dy. For p = 0 the gradient is 0 and dx is left untouched.</summary>
    public static void PowBackward(ReadOnlySpan<float> x, float p, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (p == 0) { Simd.CheckInput(x, dy, nameof(dy)); Simd.CheckOutput(x, dx, nameof(dx)); return; }
        if (IsSmallInteger(p - 1, out int k)) Simd.Ternary(new PowIntGradOp(k, p), x, dy, dx, dx);
        else Simd.Ternary(new PowGradOp<float>(p), x, dy, dx, dx);
    }

    /// <inheritdoc cref="PowBackward(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>
    public static void PowBackward(ReadOnlySpan<double> x, double p, ReadOnlySpan<double> dy, Span<double> dx)
    {
        if (p == 0) { Simd.CheckInput(x, dy, nameof(dy)); Simd.CheckOutput(x, dx, nameof(dx)); return; }
        if (IsSmallInteger(p - 1, out int k)) Simd.Ternary(new PowIntGradOpD(k, p), x, dy, dx, dx);
        else Simd.Ternary(new PowGradOp<double>(p), x, dy, dx, dx);
    }

    private static bool IsSmallInteger(double p, out int k)
    {
        bool ok = Math.Abs(p) <= 65536 && p == Math.Floor(p);
        k = ok ? (int)p : 0;
        return ok;
    }

    // ================================================================ Maximum, Minimum, Clamp

    /// <summary>y = max(a, b); NaN if either is NaN (like torch.maximum).</summary>
    public static void Maximum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new MaxOp<float>(), a, b, y);

    /// <inheritdoc cref="Maximum(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Maximum(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new MaxOp<double>(), a, b, y);

    /// <summary>Backward of Maximum: dy goes to the larger input; on a tie each gets dy/2 (as in PyTorch), so the
    /// total gradient is still dy. An empty span skips that gradient.</summary>
    public static void MaximumBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db)
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<float>(true), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<float>(true), b, a, dy, db, db);
    }

    /// <inheritdoc cref="MaximumBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    public static void MaximumBackward(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> dy, Span<double> da, Span<double> db)
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<double>(true), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<double>(true), b, a, dy, db, db);
    }

    /// <summary>y = min(a, b); NaN if either is NaN (like torch.minimum).</summary>
    public static void Minimum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Simd.Binary(new MinOp<float>(), a, b, y);

    /// <inheritdoc cref="Minimum(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void Minimum(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y) => Simd.Binary(new MinOp<double>(), a, b, y);

    /// <summary>Backward of Minimum: dy goes to the smaller input; on a tie each gets dy/2. An empty span skips that gradient.</summary>
    public static void MinimumBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> dy, Span<float> da, Span<float> db)
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<float>(false), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<float>(false), b, a, dy, db, db);
    }

    /// <inheritdoc cref="MinimumBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    public static void MinimumBackward(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> dy, Span<double> da, Span<double> db)
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<double>(false), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<double>(false), b, a, dy, db, db);
    }

    /// <summary>y = min(max(x, lo), hi) (so hi wins if lo &gt; hi, as in PyTorch); NaN stays NaN.</summary>
    public static void Clamp(ReadOnlySpan<float> x, float lo, float hi, Span<float> y) => Simd.Unary(new ClampOp<float>(lo, hi), x, y);

    /// <inheritdoc cref="Clamp(ReadOnlySpan{float}, float, float, Span{float})"/>
    public static void Clamp(ReadOnlySpan<double> x, double lo, double hi, Span<double> y) => Simd.Unary(new ClampOp<double>(lo, hi), x, y);

    /// <summary>Backward of Clamp, from the input: dx += dy where lo ≤ x ≤ hi (bounds included, as in PyTorch), else nothing.</summary>
    public static void ClampBackward(ReadOnlySpan<float> x, float lo, float hi, ReadOnlySpan<float> dy, Span<float> dx)
        => Simd.Ternary(new ClampGradOp<float>(lo, hi), x, dy, dx, dx);

    /// <inheritdoc cref="ClampBackward(ReadOnlySpan{float}, float, float, ReadOnlySpan{float}, Span{float})"/>
    public static void ClampBackward(ReadOnlySpan<double> x, double lo, double hi, ReadOnlySpan<double> dy, Span<double> dx)
        => Simd.Ternary(new ClampGradOp<double>(lo, hi), x, dy, dx, dx);

    // ================================================================ row-vector broadcast (bias)

    /// <summary>matrix[r, c] += row[c] for every row: a bias added to a [rows, cols] batch. Backward: <see cref="SumColumns(ReadOnlySpan{float}, Span{float}, int, int)"/>.</summary>
    public static void AddRowVector(ReadOnlySpan<float> row, Span<float> matrix, int rows, int cols) => AddRowVectorCore(row, matrix, rows, cols);

    /// <inheritdoc cref="AddRowVector(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void AddRowVector(ReadOnlySpan<double> row, Span<double> matrix, int rows, int cols) => AddRowVectorCore(row, matrix, rows, cols);

    /// <summary>
    /// result[c] += Σ_r matrix[r, c]: reduces a [rows, cols] matrix over its rows and <b>accumulates</b> (the bias
    /// gradient). Rows are added in pairs, (r0 + r1) then into the result, in a fixed order.
    /// </summary>
    public static void SumColumns(ReadOnlySpan<float> matrix, Span<float> result, int rows, int cols) => SumColumnsCore(matrix, result, rows, cols);

    /// <inheritdoc cref="SumColumns(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void SumColumns(ReadOnlySpan<double> matrix, Span<double> result, int rows, int cols) => SumColumnsCore(matrix, result, rows, cols);

    private static void AddRowVectorCore<T>(ReadOnlySpan<T> row, Span<T> matrix, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(matrix.Length, rows, cols, nameof(matrix));
        if (row.Length != cols) throw new ArgumentException($"Length {row.Length} of 'row' is not cols = {cols}.", nameof(row));
        for (int r = 0; r < rows; r++)
        {
            Span<T> m = matrix.Slice(r * cols, cols);
            Simd.Binary(new AddOp<T>(), m, row, m);
        }
    }

    private static void SumColumnsCore<T>(ReadOnlySpan<T> matrix, Span<T> result, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(matrix.Length, rows, cols, nameof(matrix));
        if (result.Length != cols) throw new ArgumentException($"Length {result.Length} of 'result' is not cols = {cols}.", nameof(result));
        int r = 0;
        for (; r + 1 < rows; r += 2)
            Simd.Ternary(new PairAccOp<T>(), matrix.Slice(r * cols, cols), matrix.Slice((r + 1) * cols, cols), result, result);
        if (r < rows) Simd.Binary(new AddOp<T>(), matrix.Slice(r * cols, cols), result, result);
    }

    // ================================================================ operation structs

    private readonly struct AddOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => a + b;
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a + b;
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a + b;
    }

    private readonly struct SubOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => a - b;
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a - b;
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a - b;
    }

    private readonly struct MulOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => a * b;
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a * b;
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a * b;
    }

    private readonly struct DivOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => a / b;
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a / b;
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a / b;
    }

    private readonly struct MaxOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => T.Max(a, b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
    }

    private readonly struct MinOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b) => T.Min(a, b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
    }

    /// <summary>(x, y) → alpha·x + y.</summary>
    private readonly struct AxpyOp<T>(T alpha) : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T y) => T.FusedMultiplyAdd(alpha, x, y);
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => VectorMath.MulAdd(Vector128.Create(alpha), x, y);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => VectorMath.MulAdd(Vector256.Create(alpha), x, y);
    }

    private readonly struct AddScalarOp<T>(T c) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => x + c;
        public Vector128<T> Invoke(Vector128<T> x) => x + Vector128.Create(c);
        public Vector256<T> Invoke(Vector256<T> x) => x + Vector256.Create(c);
    }

    private readonly struct MulScalarOp<T>(T c) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => x * c;
        public Vector128<T> Invoke(Vector128<T> x) => x * Vector128.Create(c);
        public Vector256<T> Invoke(Vector256<T> x) => x * Vector256.Create(c);
    }

    private readonly struct NegOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => -x;
        public Vector128<T> Invoke(Vector128<T> x) => -x;
        public Vector256<T> Invoke(Vector256<T> x) => -x;
    }

    private readonly struct AbsOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => T.Abs(x);
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.Abs(x);
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.Abs(x);
    }

    private readonly struct SqrtOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => T.Sqrt(x);
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.Sqrt(x);
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.Sqrt(x);
    }

    private readonly struct ClampOp<T>(T lo, T hi) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => T.Min(T.Max(x, lo), hi);
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.Min(Vector128.Max(x, Vector128.Create(lo)), Vector128.Create(hi));
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi));
    }

    private readonly struct ExpOp : IUnaryOp<float>
    {
        public static bool Vectorizable => true;
        public float Invoke(float x) => MathF.Exp(x);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Exp(x);
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x);
    }

    private readonly struct ExpOpD : IUnaryOp<double>
    {
        public static bool Vectorizable => false;
        public double Invoke(double x) => Math.Exp(x);
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct LogOp : IUnaryOp<float>
    {
        public static bool Vectorizable => true;
        public float Invoke(float x) => MathF.Log(x);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Log(x);
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Log(x);
    }

    private readonly struct LogOpD : IUnaryOp<double>
    {
        public static bool Vectorizable => false;
        public double Invoke(double x) => Math.Log(x);
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct PowIntOp(int p) : IUnaryOp<float>
    {
        public static bool Vectorizable => true;
        public float Invoke(float x) => (float)VectorMath.PowInt(x, p);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.PowInt(x, p);
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.PowInt(x, p);
    }

    private readonly struct PowIntOpD(int p) : IUnaryOp<double>
    {
        public static bool Vectorizable => true;
        public double Invoke(double x) => VectorMath.PowInt(x, p);
        public Vector128<double> Invoke(Vector128<double> x) => Vector128.Create(VectorMath.PowInt(x[0], p), VectorMath.PowInt(x[1], p));
        public Vector256<double> Invoke(Vector256<double> x) => VectorMath.PowInt(x, p);
    }

    /// <summary>Any exponent, scalar; float goes through double Math.Pow so the only error is the final rounding.</summary>
    private readonly struct PowOp<T>(T p) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => false;
        public T Invoke(T x) => T.CreateTruncating(Math.Pow(double.CreateTruncating(x), double.CreateTruncating(p)));
        public Vector128<T> Invoke(Vector128<T> x) => NotVectorized.V128<T>();
        public Vector256<T> Invoke(Vector256<T> x) => NotVectorized.V256<T>();
    }

    // ---------------------------------------------------------------- gradient structs: (u, dy, acc) → acc + g(u)·dy

    /// <summary>acc + u·dy.</summary>
    private readonly struct MulAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T u, T dy, T acc) => T.FusedMultiplyAdd(u, dy, acc);
        public Vector128<T> Invoke(Vector128<T> u, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(u, dy, acc);
        public Vector256<T> Invoke(Vector256<T> u, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(u, dy, acc);
    }

    /// <summary>acc + dy/u.</summary>
    private readonly struct DivAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T u, T dy, T acc) => acc + dy / u;
        public Vector128<T> Invoke(Vector128<T> u, Vector128<T> dy, Vector128<T> acc) => acc + dy / u;
        public Vector256<T> Invoke(Vector256<T> u, Vector256<T> dy, Vector256<T> acc) => acc + dy / u;
    }

    /// <summary>(a, b, dy, acc) → acc − dy·a/b².</summary>
    private readonly struct DivDenominatorGradOp<T> : IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b, T dy, T acc) => acc - dy * a / (b * b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> dy, Vector128<T> acc) => acc - dy * a / (b * b);
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> dy, Vector256<T> acc) => acc - dy * a / (b * b);
    }

    /// <summary>acc + (a + b), for summing a matrix's rows two at a time.</summary>
    private readonly struct PairAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T a, T b, T acc) => acc + (a + b);
        public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> acc) => acc + (a + b);
        public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> acc) => acc + (a + b);
    }

    /// <summary>acc + sign(x)·dy with sign(0) = 0.</summary>
    private readonly struct AbsGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy, T acc) => x > T.Zero ? acc + dy : x < T.Zero ? acc - dy : acc;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
            => acc + (dy & Vector128.GreaterThan(x, Vector128<T>.Zero)) - (dy & Vector128.LessThan(x, Vector128<T>.Zero));
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
            => acc + (dy & Vector256.GreaterThan(x, Vector256<T>.Zero)) - (dy & Vector256.LessThan(x, Vector256<T>.Zero));
    }

    /// <summary>acc + 2x·dy.</summary>
    private readonly struct SquareGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy, T acc) => T.FusedMultiplyAdd(x + x, dy, acc);
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(x + x, dy, acc);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(x + x, dy, acc);
    }

    /// <summary>acc + dy/(2y).</summary>
    private readonly struct SqrtGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T y, T dy, T acc) => acc + dy / (y + y);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => acc + dy / (y + y);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => acc + dy / (y + y);
    }

    /// <summary>acc + p·x^k·dy with k = p − 1 an integer.</summary>
    private readonly struct PowIntGradOp(int k, float p) : ITernaryOp<float>
    {
        public static bool Vectorizable => true;
        public float Invoke(float x, float dy, float acc) => MathF.FusedMultiplyAdd(p * (float)VectorMath.PowInt(x, k), dy, acc);
        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> dy, Vector128<float> acc)
            => VectorMath.MulAdd(Vector128.Create(p) * VectorMath.PowInt(x, k), dy, acc);
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc)
            => VectorMath.MulAdd(Vector256.Create(p) * VectorMath.PowInt(x, k), dy, acc);
    }

    private readonly struct PowIntGradOpD(int k, double p) : ITernaryOp<double>
    {
        public static bool Vectorizable => true;
        public double Invoke(double x, double dy, double acc) => Math.FusedMultiplyAdd(p * VectorMath.PowInt(x, k), dy, acc);
        public Vector128<double> Invoke(Vector128<double> x, Vector128<double> dy, Vector128<double> acc)
            => VectorMath.MulAdd(Vector128.Create(p * VectorMath.PowInt(x[0], k), p * VectorMath.PowInt(x[1], k)), dy, acc);
        public Vector256<double> Invoke(Vector256<double> x, Vector256<double> dy, Vector256<double> acc)
            => VectorMath.MulAdd(Vector256.Create(p) * VectorMath.PowInt(x, k), dy, acc);
    }

    private readonly struct PowGradOp<T>(T p) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => false;
        public T Invoke(T x, T dy, T acc)
        {
            double pd = double.CreateTruncating(p);
            return acc + T.CreateTruncating(pd * Math.Pow(double.CreateTruncating(x), pd - 1)) * dy;
        }
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => NotVectorized.V128<T>();
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => NotVectorized.V256<T>();
    }

    /// <summary>(self, other, dy, acc) → acc + dy where self wins (greater for max, smaller for min), + dy/2 on a tie.</summary>
    private readonly struct SelectGradOp<T>(bool max) : IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;

        public T Invoke(T self, T other, T dy, T acc)
        {
            if (self == other) return acc + dy * T.CreateTruncating(0.5);
            return (max ? self > other : self < other) ? acc + dy : acc;
        }

        public Vector128<T> Invoke(Vector128<T> self, Vector128<T> other, Vector128<T> dy, Vector128<T> acc)
        {
            Vector128<T> wins = max ? Vector128.GreaterThan(self, other) : Vector128.LessThan(self, other);
            Vector128<T> half = dy * Vector128.Create(T.CreateTruncating(0.5));
            return acc + (dy & wins) + (half & Vector128.Equals(self, other));
        }

        public Vector256<T> Invoke(Vector256<T> self, Vector256<T> other, Vector256<T> dy, Vector256<T> acc)
        {
            Vector256<T> wins = max ? Vector256.GreaterThan(self, other) : Vector256.LessThan(self, other);
            Vector256<T> half = dy * Vector256.Create(T.CreateTruncating(0.5));
            return acc + (dy & wins) + (half & Vector256.Equals(self, other));
        }
    }

    /// <summary>acc + dy where lo ≤ x ≤ hi.</summary>
    private readonly struct ClampGradOp<T>(T lo, T hi) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy, T acc) => x >= lo && x <= hi ? acc + dy : acc;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
            => acc + (dy & Vector128.GreaterThanOrEqual(x, Vector128.Create(lo)) & Vector128.LessThanOrEqual(x, Vector128.Create(hi)));
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
            => acc + (dy & Vector256.GreaterThanOrEqual(x, Vector256.Create(lo)) & Vector256.LessThanOrEqual(x, Vector256.Create(hi)));
    }
}
