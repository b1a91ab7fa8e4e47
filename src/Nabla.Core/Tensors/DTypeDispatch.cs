using System.Numerics;
using Nabla.Errors;

namespace Nabla.Tensors;

/// <summary>An operation written once for any element type: <see cref="DTypeDispatch.Run{TAction}"/> calls <see cref="Run{T}"/>
/// with T the .NET type of a <see cref="DType"/>.</summary>
internal interface IDTypeAction
{
    void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An <see cref="IDTypeAction"/> that returns a value.</summary>
internal interface IDTypeFunc<out TResult>
{
    TResult Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The one place where a <see cref="DType"/> becomes a .NET element type. Code that works on tensor storage is
/// written once as a generic method over T and called through <see cref="Run{TAction}"/> with a small struct holding its
/// arguments (the JIT compiles the struct's Run&lt;float&gt; and Run&lt;double&gt; separately and calls them directly:
/// no delegate, no boxing, no virtual call).
/// </summary>
/// <example><code>
/// DTypeDispatch.Run(x.DType, new ReluForward(x, y));
/// readonly struct ReluForward(Tensor x, Tensor y) : IDTypeAction
/// {
///     public void Run&lt;T&gt;() where T : unmanaged, IFloatingPointIeee754&lt;T&gt; =&gt; Activations.ReLU(x.AsSpan&lt;T&gt;(), y.AsSpan&lt;T&gt;());
/// }
/// </code></example>
internal static class DTypeDispatch
{
    /// <summary>Calls <c>action.Run&lt;T&gt;()</c> with T = float for Float32, double for Float64.</summary>
    public static void Run<TAction>(DType dtype, TAction action) where TAction : struct, IDTypeAction
    {
        switch (dtype)
        {
            case DType.Float32: action.Run<float>(); break;
            case DType.Float64: action.Run<double>(); break;
            default: throw Unknown(dtype);
        }
    }

    /// <summary>Returns <c>func.Run&lt;T&gt;()</c> with T = float for Float32, double for Float64.</summary>
    public static TResult Run<TFunc, TResult>(DType dtype, TFunc func) where TFunc : struct, IDTypeFunc<TResult> => dtype switch
    {
        DType.Float32 => func.Run<float>(),
        DType.Float64 => func.Run<double>(),
        _ => throw Unknown(dtype),
    };

    /// <summary>The DType of a storage array (float[] or double[]).</summary>
    public static DType Of(Array storage) => storage switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        _ => throw new ValueException($"{storage.GetType().Name} is not tensor storage; use float[] or double[]"),
    };

    /// <summary>The size of one element in bytes.</summary>
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.Float32 => sizeof(float),
        DType.Float64 => sizeof(double),
        _ => throw Unknown(dtype),
    };

    /// <summary>The C# name of the element type, for messages ("float", "double").</summary>
    public static string TypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "float",
        DType.Float64 => "double",
        _ => throw Unknown(dtype),
    };

    /// <summary>A new zeroed storage array of <paramref name="length"/> elements.</summary>
    public static Array Allocate(DType dtype, int length) => dtype switch
    {
        DType.Float32 => new float[length],
        DType.Float64 => new double[length],
        _ => throw Unknown(dtype),
    };

    private static ValueException Unknown(DType dtype) => new($"unknown element type {dtype}");
}
