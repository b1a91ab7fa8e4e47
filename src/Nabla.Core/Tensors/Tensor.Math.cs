using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tensors;

// Elementwise unary functions, each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>e^x. Backward: dy · y.</summary>
    public Tensor Exp() => Activation<ExpKernel>("exp", 0);

    /// <summary>Natural logarithm. Backward: dy / x.</summary>
    public Tensor Log() => Activation<LogKernel>("log", 0);

    /// <summary>Square root. Backward: dy / (2y).</summary>
    public Tensor Sqrt() => Activation<SqrtKernel>("sqrt", 0);

    /// <summary>Absolute value. Backward: dy · sign(x), with sign(0) = 0.</summary>
    public Tensor Abs() => Activation<AbsKernel>("abs", 0);

    /// <summary>x² (same as Pow(2), cheaper).</summary>
    public Tensor Square() => this * this;

    /// <summary>
    /// Clamps every element to [<paramref name="min"/>, <paramref name="max"/>]. The gradient passes where the
    /// input lies inside the interval (bounds included) and is 0 where it was clipped.
    /// </summary>
    public Tensor Clamp(double min, double max)
    {
        if (min > max) throw new Errors.ValueException($"clamp: min {min} exceeds max {max}");
        var x = this;
        var y = EmptyLike(x);
        var inside = EmptyLike(x);
        for (int i = 0; i < x.Numel; i++)
        {
            double v = x.GetFlat(i);
            y.SetFlat(i, v < min ? min : v > max ? max : v);
            inside.SetFlat(i, v >= min && v <= max ? 1 : 0);
        }
        if (Recording(x)) y.Record("clamp", [x], g => x.AccumulateGrad(g * inside));
        return y;
    }

    private readonly struct ExpKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.Exp(x, y);
        public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.ExpBackward(y, dy, dx);
    }

    private readonly struct LogKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.Log(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.LogBackward(x, dy, dx);
    }

    private readonly struct SqrtKernel : IActivationKernel
    {
        public static bool FromOutput => true;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.Sqrt(x, y);
        public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.SqrtBackward(y, dy, dx);
    }

    private readonly struct AbsKernel : IActivationKernel
    {
        public static bool FromOutput => false;
        public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.Abs(x, y);
        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.AbsBackward(x, dy, dx);
    }
}
