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
        DTypeDispatch.Run(DType, new ActivationForward<ReluKernel>(x, y, 0));
        if (Recording(x))
            y.Record("relu", [x], g =>
            {
                // A fresh gradient is overwritten by the mask (no clearing pass), an existing one accumulates.
                if (x.GradSink(out bool add) is { } dx) DTypeDispatch.Run(x.DType, new ReluBackward(x, g, dx, add));
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
        DTypeDispatch.Run(DType, new PointwiseMap(x, y, null, y, f, null));
        if (Recording(x))
            y.Record(op, [x], g =>
            {
                var dx = Uninitialized(x.Shape, x.DType);
                DTypeDispatch.Run(x.DType, new PointwiseMap(x, y, g, dx, null, df));
                x.AccumulateGradOwned(dx);
            });
        return y;
    }

    /// <summary>output = f(x), or with df: output = g · df(x, y), element by element in double precision.</summary>
    private readonly struct PointwiseMap(Tensor x, Tensor y, Tensor? g, Tensor output, Func<double, double>? f, Func<double, double, double>? df) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> xs = x.AsSpan<T>();
            Span<T> o = output.AsSpan<T>();
            if (f is not null)
            {
                for (int i = 0; i < xs.Length; i++) o[i] = T.CreateTruncating(f(double.CreateTruncating(xs[i])));
                return;
            }
            ReadOnlySpan<T> ys = y.AsSpan<T>(), gs = g!.AsSpan<T>();
            for (int i = 0; i < xs.Length; i++) o[i] = gs[i] * T.CreateTruncating(df!(double.CreateTruncating(xs[i]), double.CreateTruncating(ys[i])));
        }
    }

    /// <summary>
    /// Applies an activation through its SIMD kernels (<see cref="Kernels.Activations"/>): forward into a new tensor,
    /// backward accumulating f′·dy into the input's gradient (from the input or the output, as the kernel needs).
    /// </summary>
    private Tensor Activation<TK>(string op, double alpha) where TK : IActivationKernel
    {
        var x = this;
        var y = Uninitialized(Shape, DType);
        DTypeDispatch.Run(DType, new ActivationForward<TK>(x, y, alpha));
        if (Recording(x))
            y.Record(op, [x], g =>
            {
                if (x.GradSink(out bool add) is not { } dx) return;
                if (!add) dx.Zero();
                DTypeDispatch.Run(x.DType, new ActivationBackward<TK>(TK.FromOutput ? y : x, g, dx, alpha));
            });
        return y;
    }

    /// <summary>An activation's forward and accumulating backward kernels (<see cref="Kernels.Activations"/>,
    /// <see cref="Kernels.Elementwise"/>), for <see cref="Activation{TK}"/>.</summary>
    private interface IActivationKernel
    {
        /// <summary>True when the backward kernel takes the output y rather than the input x.</summary>
        static abstract bool FromOutput { get; }
        static abstract void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;
        static abstract void Backward<T>(ReadOnlySpan<T> xOrY, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    private readonly struct ActivationForward<TK>(Tensor x, Tensor y, double alpha) : IDTypeAction where TK : IActivationKernel
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => TK.Forward(x.AsSpan<T>(), y.AsSpan<T>(), T.CreateTruncating(alpha));
    }

    private readonly struct ActivationBackward<TK>(Tensor xOrY, Tensor dy, Tensor dx, double alpha) : IDTypeAction where TK : IActivationKernel
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => TK.Backward(xOrY.AsSpan<T>(), dy.AsSpan<T>(), dx.AsSpan<T>(), T.CreateTruncating(alpha));
    }

    /// <summary>ReLU's backward without clearing a fresh gradient: the mask overwrites it, or accumulates into an existing one.</summary>
    private readonly struct ReluBackward(Tensor x, Tensor dy, Tensor dx, bool add) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (add) Kernels.Activations.ReLUBackward(x.AsSpan<T>(), dy.AsSpan<T>(), dx.AsSpan<T>());
            else Kernels.Activations.ReLUMask(x.AsSpan<T>(), dy.AsSpan<T>(), dx.AsSpan<T>());
        }
    }

    private readonly struct ReluKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.ReLU(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.ReLUBackward(x, dy, dx);
    }

    private readonly struct LeakyReLUKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.LeakyReLU(x, alpha, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.LeakyReLUBackward(x, alpha, dy, dx);
    }

    private readonly struct ELUKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.ELU(x, alpha, y);
        public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.ELUBackward(y, alpha, dy, dx);
    }

    private readonly struct SigmoidKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.Sigmoid(x, y);
        public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.SigmoidBackward(y, dy, dx);
    }

    private readonly struct TanhKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.Tanh(x, y);
        public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.TanhBackward(y, dy, dx);
    }

    private readonly struct GELUTanhKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.GELU(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.GELUBackward(x, dy, dx);
    }

    private readonly struct SiLUKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.SiLU(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.SiLUBackward(x, dy, dx);
    }

    private readonly struct SoftplusKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.Softplus(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.Activations.SoftplusBackward(x, dy, dx);
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
        var y = Uninitialized(x.Shape, x.DType);
        DTypeDispatch.Run(DType, new SoftmaxAction(x, null, y, outer, n, inner, log));
        if (Recording(x))
            y.Record(log ? "log_softmax" : "softmax", [x], g =>
            {
                var dx = Uninitialized(x.Shape, x.DType);
                DTypeDispatch.Run(x.DType, new SoftmaxAction(y, g, dx, outer, n, inner, log));
                x.AccumulateGradOwned(dx);
            });
        return y;
    }

    /// <summary>Forward (x → output) or, given the gradient g, backward (y, g → output) along the middle axis of [outer, n, inner].</summary>
    private readonly struct SoftmaxAction(Tensor xOrY, Tensor? g, Tensor output, int outer, int n, int inner, bool log) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (g is null) SoftmaxForward<T>(xOrY.AsSpan<T>(), output.AsSpan<T>(), outer, n, inner, log);
            else SoftmaxBackward<T>(xOrY.AsSpan<T>(), g.AsSpan<T>(), output.AsSpan<T>(), outer, n, inner, log);
        }
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
