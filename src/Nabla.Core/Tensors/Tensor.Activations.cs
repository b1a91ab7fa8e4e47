using System.Numerics;

namespace Nabla.Tensors;

// Activation functions of the lectures (and GELU, SiLU, Softplus), each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>
    /// ReLU: x for x &gt; 0, else 0; NaN stays NaN (as in PyTorch, so a diverging network shows). Its derivative is taken as 0 at exactly x = 0 (a subgradient; the
    /// convention of PyTorch).
    /// </summary>
    public Tensor ReLU()
    {
        var x = this;
        var y = Uninitialized(Shape, DType);
        if (DType == DType.Float32) Kernels.Activations.ReLU(F, y.F); else Kernels.Activations.ReLU(D, y.D);
        if (Recording(x))
            y.Record("relu", [x], g =>
            {
                if (x.GradSink(out bool add) is not { } dx) return;
                if (x.DType == DType.Float32)
                {
                    if (add) Kernels.Activations.ReLUBackward(x.F, g.F, dx.F); else Kernels.Activations.ReLUMask(x.F, g.F, dx.F);
                }
                else if (add) Kernels.Activations.ReLUBackward(x.D, g.D, dx.D);
                else Kernels.Activations.ReLUMask(x.D, g.D, dx.D);
            });
        return y;
    }

    /// <summary>Leaky ReLU: x for x &gt; 0, αx otherwise (derivative α at 0).</summary>
    public Tensor LeakyReLU(double alpha = 0.01) => Activation<LeakyReLUKernel>("leaky_relu", alpha);

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise; derivative y + α for x ≤ 0.</summary>
    public Tensor ELU(double alpha = 1.0) => alpha >= 0
        ? Activation<ELUKernel>("elu", alpha)
        : Pointwise("elu", x => x > 0 ? x : alpha * (Math.Exp(x) - 1), (x, y) => x > 0 ? 1 : y + alpha);

    /// <summary>Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ); derivative σ(x)(1 − σ(x)).</summary>
    public Tensor Sigmoid() => Activation<SigmoidKernel>("sigmoid", 0);

    /// <summary>Hyperbolic tangent; derivative 1 − tanh²(x).</summary>
    public Tensor Tanh() => Activation<TanhKernel>("tanh", 0);

    /// <summary>
    /// GELU. By default the exact form x·Φ(x), with Φ the standard normal CDF; derivative Φ(x) + x·φ(x).
    /// With <see cref="GELUApproximation.Tanh"/> the tanh form y = ½x·(1 + tanh u), u = √(2/π)·(x + 0.044715x³)
    /// (PyTorch's <c>approximate='tanh'</c>), computed as x·σ(2u), the same function, which stays accurate where
    /// 1 + tanh u cancels (for x below about −3, where PyTorch's ½x·(1 + tanh u) loses relative precision);
    /// derivative s + x·s·(1 − s)·2u′ with s = σ(2u), u′ = √(2/π)·(1 + 3·0.044715x²).
    /// </summary>
    public Tensor GELU(GELUApproximation approximate = GELUApproximation.None) => approximate switch
    {
        GELUApproximation.None => Pointwise("gelu", static x => x * NormalCdf(x), static (x, y) => NormalCdf(x) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI)),
        GELUApproximation.Tanh => Activation<GELUTanhKernel>("gelu_tanh", 0),
        _ => throw new Errors.ValueException($"gelu: approximation {(int)approximate} is not one of None, Tanh"),
    };

    /// <summary>SiLU (swish): x·σ(x); derivative σ(x)(1 + x(1 − σ(x))).</summary>
    public Tensor SiLU() => Activation<SiLUKernel>("silu", 0);

    /// <summary>Softplus: ln(1 + eˣ), computed stably; derivative σ(x).</summary>
    public Tensor Softplus() => Activation<SoftplusKernel>("softplus", 0);

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    // erf to near double precision: the Maclaurin series below |x| = 3 (about 1e-13 after cancellation),
    // the continued fraction of erfc above it, and ±1 beyond 6 where erf rounds to ±1 in double.
    internal static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax >= 6) return Math.Sign(x);
        if (ax < 3)
        {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 80; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + k / 2.0 / f;
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }

    /// <summary>
    /// Applies a scalar function elementwise with its derivative f'(x, y) (given the input and the output).
    /// The building block of the activations above.
    /// </summary>
    internal Tensor Pointwise(string op, Func<double, double> f, Func<double, double, double> df)
    {
        var x = this;
        var y = Uninitialized(Shape, DType);
        if (DType == DType.Float32) { var xs = F; var ys = y.F; for (int i = 0; i < xs.Length; i++) ys[i] = (float)f(xs[i]); }
        else { var xs = D; var ys = y.D; for (int i = 0; i < xs.Length; i++) ys[i] = f(xs[i]); }
        if (Recording(x))
            y.Record(op, [x], g =>
            {
                var dx = Uninitialized(x.Shape, x.DType);
                if (x.DType == DType.Float32)
                {
                    var xs = x.F; var ys = y.F; var gs = g.F; var ds = dx.F;
                    for (int i = 0; i < xs.Length; i++) ds[i] = gs[i] * (float)df(xs[i], ys[i]);
                }
                else
                {
                    var xs = x.D; var ys = y.D; var gs = g.D; var ds = dx.D;
                    for (int i = 0; i < xs.Length; i++) ds[i] = gs[i] * df(xs[i], ys[i]);
                }
                x.AccumulateGradOwned(dx);
            });
        return y;
    }

    /// <summary>
    /// Applies an activation through its SIMD kernels (<see cref="Kernels.Activations"/>): forward into a new tensor,
    /// backward accumulating f′·dy into the input's gradient (from the input or the output, as the kernel needs).
    /// </summary>
    private Tensor Activation<TK>(string op, double alpha) where TK : IActivationKernel
    {
        var x = this;
        var y = Uninitialized(Shape, DType);
        if (DType == DType.Float32) TK.Forward(F, y.F, (float)alpha); else TK.Forward(D, y.D, alpha);
        if (Recording(x))
            y.Record(op, [x], g =>
            {
                if (x.GradSink(out bool add) is not { } dx) return;
                var from = TK.FromOutput ? y : x;
                if (x.DType == DType.Float32)
                {
                    if (!add) dx.F.Clear();
                    TK.Backward(from.F, g.F, dx.F, (float)alpha);
                }
                else
                {
                    if (!add) dx.D.Clear();
                    TK.Backward(from.D, g.D, dx.D, alpha);
                }
            });
        return y;
    }

    /// <summary>An activation's forward and accumulating backward kernels, for <see cref="Activation{TK}"/>.</summary>
    private interface IActivationKernel
    {
        /// <summary>True when the backward kernel takes the output y rather than the input x.</summary>
        static abstract bool FromOutput { get; }
        static abstract void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha);
        static abstract void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha);
        static abstract void Backward(ReadOnlySpan<float> xOrY, ReadOnlySpan<float> dy, Span<float> dx, float alpha);
        static abstract void Backward(ReadOnlySpan<double> xOrY, ReadOnlySpan<double> dy, Span<double> dx, double alpha);
    }

    private readonly struct LeakyReLUKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.LeakyReLU(x, alpha, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.LeakyReLU(x, alpha, y);
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.LeakyReLUBackward(x, alpha, dy, dx);
        public static void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.LeakyReLUBackward(x, alpha, dy, dx);
    }

    private readonly struct ELUKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.ELU(x, alpha, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.ELU(x, alpha, y);
        public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.ELUBackward(y, alpha, dy, dx);
        public static void Backward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.ELUBackward(y, alpha, dy, dx);
    }

    private readonly struct SigmoidKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.Sigmoid(x, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.Sigmoid(x, y);
        public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.SigmoidBackward(y, dy, dx);
        public static void Backward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.SigmoidBackward(y, dy, dx);
    }

    private readonly struct TanhKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.Tanh(x, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.Tanh(x, y);
        public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.TanhBackward(y, dy, dx);
        public static void Backward(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.TanhBackward(y, dy, dx);
    }

    private readonly struct GELUTanhKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.GELU(x, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.GELU(x, y);
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.GELUBackward(x, dy, dx);
        public static void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.GELUBackward(x, dy, dx);
    }

    private readonly struct SiLUKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.SiLU(x, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.SiLU(x, y);
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.SiLUBackward(x, dy, dx);
        public static void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.SiLUBackward(x, dy, dx);
    }

    private readonly struct SoftplusKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float alpha) => Kernels.Activations.Softplus(x, y);
        public static void Forward(ReadOnlySpan<double> x, Span<double> y, double alpha) => Kernels.Activations.Softplus(x, y);
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha) => Kernels.Activations.SoftplusBackward(x, dy, dx);
        public static void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx, double alpha) => Kernels.Activations.SoftplusBackward(x, dy, dx);
    }

    /// <summary>
    /// Softmax along <paramref name="axis"/>: yᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x); subtracting the maximum keeps
    /// it finite for any input. Backward: dx = y ⊙ (dy − Σ dy ⊙ y).
    /// </summary>
    public Tensor Softmax(int axis = -1) => SoftmaxCore(axis, log: false);

    /// <summary>
    /// Log-softmax along <paramref name="axis"/>: xᵢ − max x − ln Σⱼ e^(xⱼ − max x), stable for any input.
    /// Backward: dx = dy − softmax(x) · Σ dy.
    /// </summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxCore(axis, log: true);

    private Tensor SoftmaxCore(int axis, bool log)
    {
        int a = Shape.NormalizeAxis(axis, log ? "log_softmax" : "softmax");
        int outer = Shape.Product(0, a), n = Shape.Dims[a], inner = Shape.Product(a + 1, Rank);
        var x = this;
        var y = EmptyLike(x);
        if (DType == DType.Float32) SoftmaxForward<float>(F, y.F, outer, n, inner, log);
        else SoftmaxForward<double>(D, y.D, outer, n, inner, log);
        if (Recording(x))
            y.Record(log ? "log_softmax" : "softmax", [x], g =>
            {
                var dx = EmptyLike(x);
                if (DType == DType.Float32) SoftmaxBackward<float>(y.F, g.F, dx.F, outer, n, inner, log);
                else SoftmaxBackward<double>(y.D, g.D, dx.D, outer, n, inner, log);
                x.AccumulateGrad(dx);
            });
        return y;
    }

    private static void SoftmaxForward<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int n, int inner, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                T max = T.NegativeInfinity;
                for (int r = 0; r < n; r++) max = T.Max(max, x[b + r * inner]);
                if (T.IsInfinity(max)) max = T.Zero; // all -inf (or +inf): keep arithmetic defined
                T sum = T.Zero;
                for (int r = 0; r < n; r++) sum += T.Exp(x[b + r * inner] - max);
                if (log)
                {
                    T lse = max + T.Log(sum);
                    for (int r = 0; r < n; r++) y[b + r * inner] = x[b + r * inner] - lse;
                }
                else
                {
                    T inv = T.One / sum;
                    for (int r = 0; r < n; r++) y[b + r * inner] = T.Exp(x[b + r * inner] - max) * inv;
                }
            }
    }

    private static void SoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx, int outer, int n, int inner, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                T s = T.Zero;
                if (log)
                {
                    for (int r = 0; r < n; r++) s += g[b + r * inner];
                    for (int r = 0; r < n; r++) dx[b + r * inner] = g[b + r * inner] - T.Exp(y[b + r * inner]) * s;
                }
                else
                {
                    for (int r = 0; r < n; r++) s += g[b + r * inner] * y[b + r * inner];
                    for (int r = 0; r < n; r++) dx[b + r * inner] = y[b + r * inner] * (g[b + r * inner] - s);
                }
            }
    }
}
