using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Activation functions over spans, each forward followed by its backward. A backward accumulates
/// (<c>dx += f′ · dy</c>) and takes whichever of the input x or the output y makes f′ cheaper; its parameter name
/// says which. Conventions as in <see cref="Elementwise"/>.
/// </summary>
/// <remarks>
/// Single precision is vectorised (sigmoid and tanh within 2.5 ulp, see VectorMath);
/// double precision runs System.Math per element for transcendentals and exists for gradient checks.
/// </remarks>
public static class Activations
{
    // ================================================================ ReLU

    /// <summary>ReLU: y = max(x, 0). NaN stays NaN.</summary>
    public static void ReLU(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new ReLUOp<float>(), x, y);

    /// <inheritdoc cref="ReLU(ReadOnlySpan{float}, Span{float})"/>
    public static void ReLU(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new ReLUOp<double>(), x, y);

    /// <summary>
    /// ReLU backward from the input: dx += (x &gt; 0 ? dy : 0). The gradient at exactly x = 0 is 0: ReLU has no
    /// derivative there and any value in [0, 1] is a valid subgradient; 0 is PyTorch's choice, keeps a unit that
    /// sits at 0 (for instance after zero initialisation) from moving on noise, and makes the mask the same whether
    /// computed from x or from y = ReLU(x) (so passing the output also works).
    /// </summary>
    public static void ReLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new ReLUGradOp<float>(), x, dy, dx, dx);

    /// <inheritdoc cref="ReLUBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void ReLUBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new ReLUGradOp<double>(), x, dy, dx, dx);

    /// <summary>ReLU backward that overwrites instead of accumulating: dx = (x &gt; 0 ? dy : 0).</summary>
    internal static void ReLUMask(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Binary(new ReLUMaskOp<float>(), x, dy, dx);

    /// <inheritdoc cref="ReLUMask(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    internal static void ReLUMask(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Binary(new ReLUMaskOp<double>(), x, dy, dx);

    // ================================================================ LeakyReLU

    /// <summary>LeakyReLU: y = x for x &gt; 0, alpha·x otherwise (PyTorch's default alpha is 0.01).</summary>
    public static void LeakyReLU(ReadOnlySpan<float> x, float alpha, Span<float> y) => Simd.Unary(new LeakyReLUOp<float>(alpha), x, y);

    /// <inheritdoc cref="LeakyReLU(ReadOnlySpan{float}, float, Span{float})"/>
    public static void LeakyReLU(ReadOnlySpan<double> x, double alpha, Span<double> y) => Simd.Unary(new LeakyReLUOp<double>(alpha), x, y);

    /// <summary>LeakyReLU backward from the input: dx += (x &gt; 0 ? 1 : alpha) · dy (alpha at exactly 0, like ReLU).</summary>
    public static void LeakyReLUBackward(ReadOnlySpan<float> x, float alpha, ReadOnlySpan<float> dy, Span<float> dx)
        => Simd.Ternary(new LeakyReLUGradOp<float>(alpha), x, dy, dx, dx);

    /// <inheritdoc cref="LeakyReLUBackward(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>
    public static void LeakyReLUBackward(ReadOnlySpan<double> x, double alpha, ReadOnlySpan<double> dy, Span<double> dx)
        => Simd.Ternary(new LeakyReLUGradOp<double>(alpha), x, dy, dx, dx);

    // ================================================================ ELU

    /// <summary>ELU: y = x for x &gt; 0, alpha·(eˣ − 1) otherwise (eˣ − 1 computed without cancellation near 0).</summary>
    public static void ELU(ReadOnlySpan<float> x, float alpha, Span<float> y) => Simd.Unary(new ELUOp(alpha), x, y);

    /// <inheritdoc cref="ELU(ReadOnlySpan{float}, float, Span{float})"/>
    public static void ELU(ReadOnlySpan<double> x, double alpha, Span<double> y) => Simd.Unary(new ELUOp(alpha), x, y);

    /// <summary>ELU backward from the <b>output</b> (no exponential): dx += (y &gt; 0 ? 1 : y + alpha) · dy.
    /// Needs alpha ≥ 0, so that y &gt; 0 exactly when x &gt; 0.</summary>
    public static void ELUBackward(ReadOnlySpan<float> y, float alpha, ReadOnlySpan<float> dy, Span<float> dx)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        Simd.Ternary(new ELUGradOp<float>(alpha), y, dy, dx, dx);
    }

    /// <inheritdoc cref="ELUBackward(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>
    public static void ELUBackward(ReadOnlySpan<double> y, double alpha, ReadOnlySpan<double> dy, Span<double> dx)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        Simd.Ternary(new ELUGradOp<double>(alpha), y, dy, dx, dx);
    }

    // ================================================================ Sigmoid, Tanh

    /// <summary>Sigmoid: y = 1 / (1 + e⁻ˣ), computed so it never overflows and keeps tiny results accurate.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new SigmoidOp(), x, y);

    /// <inheritdoc cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/>
    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new SigmoidOp(), x, y);

    /// <summary>Sigmoid backward from the <b>output</b>: dx += y·(1 − y) · dy.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new SigmoidGradOp<float>(), y, dy, dx, dx);

    /// <inheritdoc cref="SigmoidBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void SigmoidBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new SigmoidGradOp<double>(), y, dy, dx, dx);

    /// <summary>Tanh: y = tanh x.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new TanhOp(), x, y);

    /// <inheritdoc cref="Tanh(ReadOnlySpan{float}, Span{float})"/>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new TanhOp(), x, y);

    /// <summary>Tanh backward from the <b>output</b>: dx += (1 − y²) · dy.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new TanhGradOp<float>(), y, dy, dx, dx);

    /// <inheritdoc cref="TanhBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void TanhBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new TanhGradOp<double>(), y, dy, dx, dx);

    // ================================================================ GELU

    /// <summary>
    /// GELU, <b>tanh form</b> (PyTorch's <c>approximate='tanh'</c>, GPT-2's): y = ½x·(1 + tanh u),
    /// u = √(2/π)·(x + 0.044715x³). Computed as x·σ(2u), which is the same function (½(1 + tanh u) = σ(2u)) but
    /// stays accurate where 1 + tanh u would cancel. It differs from the exact erf form by at most about 5e-4.
    /// </summary>
    public static void GELU(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new GELUOp(), x, y);

    /// <inheritdoc cref="GELU(ReadOnlySpan{float}, Span{float})"/>
    public static void GELU(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new GELUOp(), x, y);

    /// <summary>GELU (tanh form) backward from the input: with s = σ(2u),
    /// dx += (s + x·s·(1 − s)·2u′) · dy, u′ = √(2/π)·(1 + 3·0.044715x²).</summary>
    public static void GELUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new GELUGradOp(), x, dy, dx, dx);

    /// <inheritdoc cref="GELUBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void GELUBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new GELUGradOp(), x, dy, dx, dx);

    // ================================================================ SiLU, Softplus

    /// <summary>SiLU (swish): y = x·σ(x).</summary>
    public static void SiLU(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new SiLUOp(), x, y);

    /// <inheritdoc cref="SiLU(ReadOnlySpan{float}, Span{float})"/>
    public static void SiLU(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new SiLUOp(), x, y);

    /// <summary>SiLU backward from the input: with s = σ(x), dx += s·(1 + x·(1 − s)) · dy.</summary>
    public static void SiLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new SiLUGradOp(), x, dy, dx, dx);

    /// <inheritdoc cref="SiLUBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void SiLUBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new SiLUGradOp(), x, dy, dx, dx);

    /// <summary>Softplus: y = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|) so it never overflows and stays
    /// accurate for very negative x (no linear threshold, unlike PyTorch's default threshold = 20: this is exact).</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y) => Simd.Unary(new SoftplusOp(), x, y);

    /// <inheritdoc cref="Softplus(ReadOnlySpan{float}, Span{float})"/>
    public static void Softplus(ReadOnlySpan<double> x, Span<double> y) => Simd.Unary(new SoftplusOp(), x, y);

    /// <summary>Softplus backward from the input: dx += σ(x) · dy.</summary>
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Simd.Ternary(new SoftplusGradOp(), x, dy, dx, dx);

    /// <inheritdoc cref="SoftplusBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    public static void SoftplusBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Simd.Ternary(new SoftplusGradOp(), x, dy, dx, dx);

    // ================================================================ operation structs

    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluCubic = 0.044715;

    private readonly struct ReLUOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => T.Max(x, T.Zero);
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.Max(x, Vector128<T>.Zero);
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);
    }

    private readonly struct ReLUGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy, T acc) => x > T.Zero ? acc + dy : acc;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => acc + (dy & Vector128.GreaterThan(x, Vector128<T>.Zero));
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => acc + (dy & Vector256.GreaterThan(x, Vector256<T>.Zero));
    }

    private readonly struct ReLUMaskOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy) => x > T.Zero ? dy : T.Zero;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => dy & Vector128.GreaterThan(x, Vector128<T>.Zero);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => dy & Vector256.GreaterThan(x, Vector256<T>.Zero);
    }

    private readonly struct LeakyReLUOp<T>(T alpha) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x) => x > T.Zero ? x : alpha * x;
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * Vector128.Create(alpha));
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(alpha));
    }

    private readonly struct LeakyReLUGradOp<T>(T alpha) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T x, T dy, T acc) => acc + (x > T.Zero ? dy : alpha * dy);
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
            => acc + Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * Vector128.Create(alpha));
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
            => acc + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * Vector256.Create(alpha));
    }

    private readonly struct ELUOp(double alpha) : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => x > 0 ? x : (float)alpha * VectorMath.ExpM1(x);
        public double Invoke(double x) => x > 0 ? x : alpha * VectorMath.ExpM1(x);
        public Vector128<float> Invoke(Vector128<float> x)
            => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, Vector128.Create((float)alpha) * VectorMath.ExpM1(x));
        public Vector256<float> Invoke(Vector256<float> x)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256.Create((float)alpha) * VectorMath.ExpM1(x));
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct ELUGradOp<T>(T alpha) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T y, T dy, T acc) => y > T.Zero ? acc + dy : T.FusedMultiplyAdd(y + alpha, dy, acc);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc)
            => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<T>.Zero), acc + dy, VectorMath.MulAdd(y + Vector128.Create(alpha), dy, acc));
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<T>.Zero), acc + dy, VectorMath.MulAdd(y + Vector256.Create(alpha), dy, acc));
    }

    private readonly struct SigmoidOp : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => VectorMath.Sigmoid(x);
        public double Invoke(double x) => VectorMath.Sigmoid(x);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Sigmoid(x);
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct SigmoidGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(y * (T.One - y), dy, acc);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(y * (Vector128<T>.One - y), dy, acc);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(y * (Vector256<T>.One - y), dy, acc);
    }

    private readonly struct TanhOp : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => MathF.Tanh(x);
        public double Invoke(double x) => Math.Tanh(x);
        public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Tanh(x);
        public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct TanhGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool Vectorizable => true;
        public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(T.One - y * y, dy, acc);
        public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(Vector128<T>.One - y * y, dy, acc);
        public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(Vector256<T>.One - y * y, dy, acc);
    }

    private readonly struct GELUOp : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => (float)Invoke((double)x);
        public double Invoke(double x) => x * VectorMath.Sigmoid(2 * SqrtTwoOverPi * (x + GeluCubic * x * x * x));

        public Vector128<float> Invoke(Vector128<float> x)
        {
            Vector128<float> x2 = x * x;
            Vector128<float> twoU = x * VectorMath.MulAdd(x2, Vector128.Create((float)(2 * SqrtTwoOverPi * GeluCubic)), Vector128.Create((float)(2 * SqrtTwoOverPi)));
            return x * VectorMath.Sigmoid(twoU);
        }

        public Vector256<float> Invoke(Vector256<float> x)
        {
            Vector256<float> x2 = x * x;
            Vector256<float> twoU = x * VectorMath.MulAdd(x2, Vector256.Create((float)(2 * SqrtTwoOverPi * GeluCubic)), Vector256.Create((float)(2 * SqrtTwoOverPi)));
            return x * VectorMath.Sigmoid(twoU);
        }

        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct GELUGradOp : ITernaryOp<float>, ITernaryOp<double>
    {
        static bool ITernaryOp<float>.Vectorizable => true;
        static bool ITernaryOp<double>.Vectorizable => false;

        public float Invoke(float x, float dy, float acc) => (float)(acc + Derivative(x) * dy);
        public double Invoke(double x, double dy, double acc) => acc + Derivative(x) * dy;

        private static double Derivative(double x)
        {
            double s = VectorMath.Sigmoid(2 * SqrtTwoOverPi * (x + GeluCubic * x * x * x));
            double xt = Math.Clamp(x, -20, 20); // beyond ±20 the second term is below 1e-300; clamping avoids 0·inf
            return s + xt * s * (1 - s) * 2 * SqrtTwoOverPi * (1 + 3 * GeluCubic * xt * xt);
        }

        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> dy, Vector128<float> acc)
        {
            Vector128<float> x2 = x * x;
            Vector128<float> s = VectorMath.Sigmoid(x * VectorMath.MulAdd(x2, Vector128.Create((float)(2 * SqrtTwoOverPi * GeluCubic)), Vector128.Create((float)(2 * SqrtTwoOverPi))));
            Vector128<float> xt = Vector128.Clamp(x, Vector128.Create(-20f), Vector128.Create(20f));
            Vector128<float> du2 = VectorMath.MulAdd(xt * xt, Vector128.Create((float)(2 * SqrtTwoOverPi * 3 * GeluCubic)), Vector128.Create((float)(2 * SqrtTwoOverPi)));
            Vector128<float> d = VectorMath.MulAdd(xt * s * (Vector128<float>.One - s), du2, s);
            return VectorMath.MulAdd(d, dy, acc);
        }

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc)
        {
            Vector256<float> x2 = x * x;
            Vector256<float> s = VectorMath.Sigmoid(x * VectorMath.MulAdd(x2, Vector256.Create((float)(2 * SqrtTwoOverPi * GeluCubic)), Vector256.Create((float)(2 * SqrtTwoOverPi))));
            Vector256<float> xt = Vector256.Clamp(x, Vector256.Create(-20f), Vector256.Create(20f));
            Vector256<float> du2 = VectorMath.MulAdd(xt * xt, Vector256.Create((float)(2 * SqrtTwoOverPi * 3 * GeluCubic)), Vector256.Create((float)(2 * SqrtTwoOverPi)));
            Vector256<float> d = VectorMath.MulAdd(xt * s * (Vector256<float>.One - s), du2, s);
            return VectorMath.MulAdd(d, dy, acc);
        }

        public Vector128<double> Invoke(Vector128<double> x, Vector128<double> dy, Vector128<double> acc) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x, Vector256<double> dy, Vector256<double> acc) => NotVectorized.V256<double>();
    }

    private readonly struct SiLUOp : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => (float)(x * VectorMath.Sigmoid((double)x));
        public double Invoke(double x) => x * VectorMath.Sigmoid(x);
        public Vector128<float> Invoke(Vector128<float> x) => x * VectorMath.Sigmoid(x);
        public Vector256<float> Invoke(Vector256<float> x) => x * VectorMath.Sigmoid(x);
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct SiLUGradOp : ITernaryOp<float>, ITernaryOp<double>
    {
        static bool ITernaryOp<float>.Vectorizable => true;
        static bool ITernaryOp<double>.Vectorizable => false;
        public float Invoke(float x, float dy, float acc) => (float)(acc + Derivative(x) * dy);
        public double Invoke(double x, double dy, double acc) => acc + Derivative(x) * dy;

        private static double Derivative(double x)
        {
            double s = VectorMath.Sigmoid(x);
            return s * (1 + x * (1 - s));
        }

        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> dy, Vector128<float> acc)
        {
            Vector128<float> s = VectorMath.Sigmoid(x);
            return VectorMath.MulAdd(s * VectorMath.MulAdd(x, Vector128<float>.One - s, Vector128<float>.One), dy, acc);
        }

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc)
        {
            Vector256<float> s = VectorMath.Sigmoid(x);
            return VectorMath.MulAdd(s * VectorMath.MulAdd(x, Vector256<float>.One - s, Vector256<float>.One), dy, acc);
        }

        public Vector128<double> Invoke(Vector128<double> x, Vector128<double> dy, Vector128<double> acc) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x, Vector256<double> dy, Vector256<double> acc) => NotVectorized.V256<double>();
    }

    private readonly struct SoftplusOp : IUnaryOp<float>, IUnaryOp<double>
    {
        static bool IUnaryOp<float>.Vectorizable => true;
        static bool IUnaryOp<double>.Vectorizable => false;
        public float Invoke(float x) => (float)Invoke((double)x);
        public double Invoke(double x) => Math.Max(x, 0) + VectorMath.Log1P(Math.Exp(-Math.Abs(x)));
        public Vector128<float> Invoke(Vector128<float> x)
            => Vector128.Max(x, Vector128<float>.Zero) + VectorMath.Log1P(VectorMath.Exp(-Vector128.Abs(x)));
        public Vector256<float> Invoke(Vector256<float> x)
            => Vector256.Max(x, Vector256<float>.Zero) + VectorMath.Log1P(VectorMath.Exp(-Vector256.Abs(x)));
        public Vector128<double> Invoke(Vector128<double> x) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x) => NotVectorized.V256<double>();
    }

    private readonly struct SoftplusGradOp : ITernaryOp<float>, ITernaryOp<double>
    {
        static bool ITernaryOp<float>.Vectorizable => true;
        static bool ITernaryOp<double>.Vectorizable => false;
        public float Invoke(float x, float dy, float acc) => MathF.FusedMultiplyAdd(VectorMath.Sigmoid(x), dy, acc);
        public double Invoke(double x, double dy, double acc) => Math.FusedMultiplyAdd(VectorMath.Sigmoid(x), dy, acc);
        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> dy, Vector128<float> acc) => VectorMath.MulAdd(VectorMath.Sigmoid(x), dy, acc);
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc) => VectorMath.MulAdd(VectorMath.Sigmoid(x), dy, acc);
        public Vector128<double> Invoke(Vector128<double> x, Vector128<double> dy, Vector128<double> acc) => NotVectorized.V128<double>();
        public Vector256<double> Invoke(Vector256<double> x, Vector256<double> dy, Vector256<double> acc) => NotVectorized.V256<double>();
    }
}
