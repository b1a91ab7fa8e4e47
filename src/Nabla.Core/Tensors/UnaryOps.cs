using System.Numerics;

namespace Nabla.Tensors;

/// <summary>A scalar unary function.</summary>
internal interface IUnaryOp
{
    static abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal struct ExpOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x); }
internal struct LogOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x); }
internal struct SqrtOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x); }
internal struct AbsOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x); }
internal struct SignOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero; }
internal struct TanhOp : IUnaryOp { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x); }
internal struct SigmoidOp : IUnaryOp
{
    // Written so that neither branch overflows: for x < 0 use e^x / (1 + e^x).
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        T e = T.Exp(x);
        return e / (T.One + e);
    }
}

/// <summary>Runs a unary op over spans of either element type.</summary>
internal static class UnaryMap
{
    public static Tensor Apply<TOp>(Tensor x) where TOp : struct, IUnaryOp
    {
        var y = Tensor.EmptyLike(x);
        if (x.DType == DType.Float32) Run<TOp, float>(x.F, y.F); else Run<TOp, double>(x.D, y.D);
        return y;
    }

    private static void Run<TOp, T>(ReadOnlySpan<T> x, Span<T> y) where TOp : struct, IUnaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = TOp.Apply(x[i]);
    }
}
