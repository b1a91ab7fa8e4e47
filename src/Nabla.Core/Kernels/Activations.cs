using System.Numerics;

namespace Nabla.Kernels;

/// <summary>
/// Activation functions over spans of float or double, each forward followed by its backward. A backward accumulates
/// (<c>dx += f′ · dy</c>) and takes whichever of the input x or the output y makes f′ cheaper; its parameter name
/// says which. Conventions as in <see cref="Elementwise"/>.
/// </summary>
/// <remarks>
/// Single precision is vectorised (sigmoid and tanh within 2.5 ulp, see VectorMath); double precision takes the
/// transcendentals from System.Math and exists for gradient checks.
/// </remarks>
public static class Activations
{
    // ================================================================ ReLU

    /// <summary>ReLU: y = max(x, 0). NaN stays NaN.</summary>
    public static void ReLU<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new ReLUOp<T>(), x, y);

    /// <summary>
    /// ReLU backward from the input: dx += (x &gt; 0 ? dy : 0). The gradient at exactly x = 0 is 0: ReLU has no
    /// derivative there and any value in [0, 1] is a valid subgradient; 0 is PyTorch's choice, keeps a unit that
    /// sits at 0 (for instance after zero initialisation) from moving on noise, and makes the mask the same whether
    /// computed from x or from y = ReLU(x) (so passing the output also works).
    /// </summary>
    public static void ReLUBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new ReLUGradOp<T>(), x, dy, dx, dx);

    /// <summary>ReLU backward that overwrites instead of accumulating: dx = (x &gt; 0 ? dy : 0).</summary>
    internal static void ReLUMask<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Binary(new ReLUMaskOp<T>(), x, dy, dx);

    // ================================================================ LeakyReLU

    /// <summary>LeakyReLU: y = x for x &gt; 0, alpha·x otherwise (PyTorch's default alpha is 0.01).</summary>
    public static void LeakyReLU<T>(ReadOnlySpan<T> x, T alpha, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new LeakyReLUOp<T>(alpha), x, y);

    /// <summary>LeakyReLU backward from the input: dx += (x &gt; 0 ? 1 : alpha) · dy (alpha at exactly 0, like ReLU).</summary>
    public static void LeakyReLUBackward<T>(ReadOnlySpan<T> x, T alpha, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new LeakyReLUGradOp<T>(alpha), x, dy, dx, dx);

    // ================================================================ ELU

    /// <summary>ELU: y = x for x &gt; 0, alpha·(eˣ − 1) otherwise (eˣ − 1 computed without cancellation near 0).</summary>
    public static void ELU<T>(ReadOnlySpan<T> x, T alpha, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new ELUOp<T>(alpha), x, y);

    /// <summary>ELU backward from the <b>output</b> (no exponential): dx += (y &gt; 0 ? 1 : y + alpha) · dy.
    /// Needs alpha ≥ 0, so that y &gt; 0 exactly when x &gt; 0.</summary>
    public static void ELUBackward<T>(ReadOnlySpan<T> y, T alpha, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        Simd.Ternary(new ELUGradOp<T>(alpha), y, dy, dx, dx);
    }

    // ================================================================ Sigmoid, Tanh

    /// <summary>Sigmoid: y = 1 / (1 + e⁻ˣ), computed so it never overflows and keeps tiny results accurate.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new SigmoidOp<T>(), x, y);

    /// <summary>Sigmoid backward from the <b>output</b>: dx += y·(1 − y) · dy.</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new SigmoidGradOp<T>(), y, dy, dx, dx);

    /// <summary>Tanh: y = tanh x.</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new TanhOp<T>(), x, y);

    /// <summary>Tanh backward from the <b>output</b>: dx += (1 − y²) · dy.</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new TanhGradOp<T>(), y, dy, dx, dx);

    // ================================================================ GELU

    /// <summary>
    /// GELU, <b>tanh form</b> (PyTorch's <c>approximate='tanh'</c>, GPT-2's): y = ½x·(1 + tanh u),
    /// u = √(2/π)·(x + 0.044715x³). Computed as x·σ(2u), which is the same function (½(1 + tanh u) = σ(2u)) but
    /// stays accurate where 1 + tanh u would cancel. It differs from the exact erf form by at most about 5e-4.
    /// </summary>
    public static void GELU<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new GELUOp<T>(), x, y);

    /// <summary>GELU (tanh form) backward from the input: with s = σ(2u),
    /// dx += (s + x·s·(1 − s)·2u′) · dy, u′ = √(2/π)·(1 + 3·0.044715x²).</summary>
    public static void GELUBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new GELUGradOp<T>(), x, dy, dx, dx);

    // ================================================================ SiLU, Softplus

    /// <summary>SiLU (swish): y = x·σ(x).</summary>
    public static void SiLU<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new SiLUOp<T>(), x, y);

    /// <summary>SiLU backward from the input: with s = σ(x), dx += s·(1 + x·(1 − s)) · dy.</summary>
    public static void SiLUBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new SiLUGradOp<T>(), x, dy, dx, dx);

    /// <summary>Softplus: y = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so it never overflows and stays
    /// accurate for very negative x (no linear threshold, unlike PyTorch's default threshold = 20: this is exact).</summary>
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Unary(new SoftplusOp<T>(), x, y);

    /// <summary>Softplus backward from the input: dx += σ(x) · dy.</summary>
    public static void SoftplusBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => Simd.Ternary(new SoftplusGradOp<T>(), x, dy, dx, dx);
}
