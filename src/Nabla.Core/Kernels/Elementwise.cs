using System.Numerics;

namespace Nabla.Kernels;

/// <summary>
/// Elementwise arithmetic over spans of float or double, each forward followed by its backward.
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
/// <item>Every kernel is one generic method for <c>T</c> = <see cref="float"/> or <see cref="double"/> (other types
/// throw <see cref="NotSupportedException"/>); the JIT compiles it separately for each, so it costs what a
/// hand-written float kernel costs.</item>
/// </list>
/// Both precisions run on 256-bit vectors with AVX2+FMA, on 128-bit vectors elsewhere. Single-precision
/// transcendentals are vectorised polynomials (VectorMath); double precision takes them from System.Math lane by
/// lane: it exists for gradient checks.
/// </remarks>
public static class Elementwise
{
    // ================================================================ Add, Sub

    /// <summary>y = a + b. Backward: da += dy and db += dy (<see cref="Accumulate{T}(ReadOnlySpan{T}, Span{T})"/>).</summary>
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new AddOp<T>(), a, b, y);

    /// <summary>y = a − b. Backward: da += dy (<see cref="Accumulate{T}(ReadOnlySpan{T}, Span{T})"/>) and db −= dy
    /// (<see cref="Axpy{T}(T, ReadOnlySpan{T}, Span{T})"/> with alpha = −1).</summary>
    public static void Sub<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new SubOp<T>(), a, b, y);

    /// <summary>y += x: the accumulation every gradient goes through.</summary>
    public static void Accumulate<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new AddOp<T>(), x, y, y);

    /// <summary>y += alpha · x (BLAS axpy).</summary>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new AxpyOp<T>(alpha), x, y, y);

    // ================================================================ Mul, Div

    /// <summary>y = a · b.</summary>
    public static void Mul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new MulOp<T>(), a, b, y);

    /// <summary>Backward of <see cref="Mul{T}"/>: da += dy · b, db += dy · a (an empty span skips that gradient).</summary>
    public static void MulBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> dy, Span<T> da, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsEmpty) Simd.Ternary(new MulAccOp<T>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Ternary(new MulAccOp<T>(), a, dy, db, db);
    }

    /// <summary>y = a / b (IEEE: x/0 is ±inf, 0/0 is NaN).</summary>
    public static void Div<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new DivOp<T>(), a, b, y);

    /// <summary>Backward of <see cref="Div{T}"/>: da += dy / b, db −= dy · a / b² (an empty span skips that gradient).</summary>
    public static void DivBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> dy, Span<T> da, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsEmpty) Simd.Ternary(new DivAccOp<T>(), b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new DivDenominatorGradOp<T>(), a, b, dy, db, db);
    }

    // ================================================================ with a scalar

    /// <summary>y = x + c. Backward: dx += dy.</summary>
    public static void AddScalar<T>(ReadOnlySpan<T> x, T c, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new AddScalarOp<T>(c), x, y);

    /// <summary>y = c · x. Backward: dx += c · dy (<see cref="Axpy{T}(T, ReadOnlySpan{T}, Span{T})"/>).</summary>
    public static void MulScalar<T>(ReadOnlySpan<T> x, T c, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new MulScalarOp<T>(c), x, y);

    // ================================================================ Neg, Abs, Square, Sqrt

    /// <summary>y = −x. Backward: dx −= dy (<see cref="Axpy{T}(T, ReadOnlySpan{T}, Span{T})"/> with alpha = −1).</summary>
    public static void Neg<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new NegOp<T>(), x, y);

    /// <summary>y = |x|.</summary>
    public static void Abs<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new AbsOp<T>(), x, y);

    /// <summary>Backward of Abs, from the input: dx += sign(x) · dy, with sign(0) = 0 (PyTorch's choice: 0 is the
    /// subgradient that leaves an exact zero where it is).</summary>
    public static void AbsBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new AbsGradOp<T>(), x, dy, dx, dx);

    /// <summary>y = x².</summary>
    public static void Square<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new MulOp<T>(), x, x, y);

    /// <summary>Backward of Square, from the input: dx += 2x · dy.</summary>
    public static void SquareBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new SquareGradOp<T>(), x, dy, dx, dx);

    /// <summary>y = √x (correctly rounded; NaN for x &lt; 0).</summary>
    public static void Sqrt<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new SqrtOp<T>(), x, y);

    /// <summary>Backward of Sqrt, from the <b>output</b> (no square root needed): dx += dy / (2y).</summary>
    public static void SqrtBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new SqrtGradOp<T>(), y, dy, dx, dx);

    // ================================================================ Exp, Log, Pow

    /// <summary>y = eˣ (single precision: vectorised, within 1 ulp; overflow gives +inf, underflow goes through the subnormals to 0).</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new ExpOp<T>(), x, y);

    /// <summary>Backward of Exp, from the <b>output</b>: dx += y · dy.</summary>
    public static void ExpBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new MulAccOp<T>(), y, dy, dx, dx);

    /// <summary>y = ln x (single precision: vectorised, within 1 ulp; ln 0 = −inf, ln of a negative number is NaN).</summary>
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new LogOp<T>(), x, y);

    /// <summary>Backward of Log, from the input: dx += dy / x.</summary>
    public static void LogBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new DivAccOp<T>(), x, dy, dx, dx);

    /// <summary>
    /// y = xᵖ with the semantics of Math.Pow. An integer p (|p| ≤ 65536) is vectorised by binary powering in double
    /// precision, exact to the final rounding and valid for negative x; any other p runs Math.Pow element by element.
    /// </summary>
    public static void Pow<T>(ReadOnlySpan<T> x, T p, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsSmallInteger(double.CreateTruncating(p), out int k)) Simd.Unary(new PowIntOp<T>(k), x, y);
        else Simd.Unary(new PowOp<T>(p), x, y);
    }

    /// <summary>Backward of Pow, from the input: dx += p · xᵖ⁻¹ · dy. For p = 0 the gradient is 0 and dx is left untouched.</summary>
    public static void PowBackward<T>(ReadOnlySpan<T> x, T p, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p == T.Zero) { Simd.CheckInput(x, dy, nameof(dy)); Simd.CheckOutput(x, dx, nameof(dx)); return; }
        if (IsSmallInteger(double.CreateTruncating(p - T.One), out int k)) Simd.Ternary(new PowIntGradOp<T>(k, p), x, dy, dx, dx);
        else Simd.Ternary(new PowGradOp<T>(p), x, dy, dx, dx);
    }

    private static bool IsSmallInteger(double p, out int k)
    {
        bool ok = Math.Abs(p) <= 65536 && p == Math.Floor(p);
        k = ok ? (int)p : 0;
        return ok;
    }

    // ================================================================ Maximum, Minimum, Clamp

    /// <summary>y = max(a, b); NaN if either is NaN (like torch.maximum).</summary>
    public static void Maximum<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new MaxOp<T>(), a, b, y);

    /// <summary>Backward of Maximum: dy goes to the larger input; on a tie each gets dy/2 (as in PyTorch), so the
    /// total gradient is still dy. An empty span skips that gradient.</summary>
    public static void MaximumBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> dy, Span<T> da, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<T>(true), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<T>(true), b, a, dy, db, db);
    }

    /// <summary>y = min(a, b); NaN if either is NaN (like torch.minimum).</summary>
    public static void Minimum<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new MinOp<T>(), a, b, y);

    /// <summary>Backward of Minimum: dy goes to the smaller input; on a tie each gets dy/2. An empty span skips that gradient.</summary>
    public static void MinimumBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> dy, Span<T> da, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsEmpty) Simd.Quaternary(new SelectGradOp<T>(false), a, b, dy, da, da);
        if (!db.IsEmpty) Simd.Quaternary(new SelectGradOp<T>(false), b, a, dy, db, db);
    }

    /// <summary>y = min(max(x, lo), hi) (so hi wins if lo &gt; hi, as in PyTorch); NaN stays NaN.</summary>
    public static void Clamp<T>(ReadOnlySpan<T> x, T lo, T hi, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new ClampOp<T>(lo, hi), x, y);

    /// <summary>Backward of Clamp, from the input: dx += dy where lo ≤ x ≤ hi (bounds included, as in PyTorch), else nothing.</summary>
    public static void ClampBackward<T>(ReadOnlySpan<T> x, T lo, T hi, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new ClampGradOp<T>(lo, hi), x, dy, dx, dx);

    // ================================================================ row-vector broadcast (bias)

    /// <summary>matrix[r, c] += row[c] for every row: a bias added to a [rows, cols] batch. Backward:
    /// <see cref="SumColumns{T}(ReadOnlySpan{T}, Span{T}, int, int)"/>.</summary>
    public static void AddRowVector<T>(ReadOnlySpan<T> row, Span<T> matrix, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(matrix.Length, rows, cols, nameof(matrix));
        if (row.Length != cols) throw new ArgumentException($"Length {row.Length} of 'row' is not cols = {cols}.", nameof(row));
        for (int r = 0; r < rows; r++)
        {
            Span<T> m = matrix.Slice(r * cols, cols);
            Simd.Binary(new AddOp<T>(), m, row, m);
        }
    }

    /// <summary>
    /// result[c] += Σ_r matrix[r, c]: reduces a [rows, cols] matrix over its rows and <b>accumulates</b> (the bias
    /// gradient). Rows are added in pairs, (r0 + r1) then into the result, in a fixed order.
    /// </summary>
    public static void SumColumns<T>(ReadOnlySpan<T> matrix, Span<T> result, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Simd.CheckMatrix(matrix.Length, rows, cols, nameof(matrix));
        if (result.Length != cols) throw new ArgumentException($"Length {result.Length} of 'result' is not cols = {cols}.", nameof(result));
        int r = 0;
        for (; r + 1 < rows; r += 2)
            Simd.Ternary(new PairAccOp<T>(), matrix.Slice(r * cols, cols), matrix.Slice((r + 1) * cols, cols), result, result);
        if (r < rows) Simd.Binary(new AddOp<T>(), matrix.Slice(r * cols, cols), result, result);
    }
}
