using System.Numerics;

namespace Nabla.Tensors;

// Activation functions of the lectures (and GELU, SiLU, Softplus), each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>ReLU: max(0, x). Its derivative is taken as 0 at exactly x = 0 (a subgradient; the convention of PyTorch).</summary>
    public Tensor Relu() => Pointwise("relu", static x => x > 0 ? x : 0, static (x, y) => x > 0 ? 1 : 0);

    /// <summary>Leaky ReLU: x for x &gt; 0, αx otherwise (derivative α at 0).</summary>
    public Tensor LeakyRelu(double alpha = 0.01) => Pointwise("leaky_relu", x => x > 0 ? x : alpha * x, (x, y) => x > 0 ? 1 : alpha);

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise; derivative y + α for x ≤ 0.</summary>
    public Tensor Elu(double alpha = 1.0) => Pointwise("elu", x => x > 0 ? x : alpha * (Math.Exp(x) - 1), (x, y) => x > 0 ? 1 : y + alpha);

    /// <summary>Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ); derivative σ(x)(1 − σ(x)).</summary>
    public Tensor Sigmoid() => Pointwise("sigmoid", static x => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x)), static (x, y) => y * (1 - y));

    /// <summary>Hyperbolic tangent; derivative 1 − tanh²(x).</summary>
    public Tensor Tanh() => Pointwise("tanh", Math.Tanh, static (x, y) => 1 - y * y);

    /// <summary>GELU in its exact form x·Φ(x), with Φ the standard normal CDF; derivative Φ(x) + x·φ(x).</summary>
    public Tensor Gelu() => Pointwise("gelu", static x => x * NormalCdf(x), static (x, y) => NormalCdf(x) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI));

    /// <summary>SiLU (swish): x·σ(x); derivative σ(x)(1 + x(1 − σ(x))).</summary>
    public Tensor Silu() => Pointwise("silu", static x => x * Sig(x), static (x, y) => { double s = Sig(x); return s * (1 + x * (1 - s)); });

    /// <summary>Softplus: ln(1 + eˣ), computed stably; derivative σ(x).</summary>
    public Tensor Softplus() => Pointwise("softplus", static x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))), static (x, y) => Sig(x));

    private static double Sig(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

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
        var y = EmptyLike(x);
        if (DType == DType.Float32) { var xs = F; var ys = y.F; for (int i = 0; i < xs.Length; i++) ys[i] = (float)f(xs[i]); }
        else { var xs = D; var ys = y.D; for (int i = 0; i < xs.Length; i++) ys[i] = f(xs[i]); }
        if (Recording(x))
            y.Record(op, [x], g =>
            {
                var dx = EmptyLike(x);
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
                x.AccumulateGrad(dx);
            });
        return y;
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
