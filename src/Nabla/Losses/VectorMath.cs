using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Losses;

/// <summary>SIMD helpers for the loss kernels.</summary>
internal static class VectorMath
{
    /// <summary>v ← e^v elementwise, 8 floats or 4 doubles at a time where AVX is available.</summary>
    public static void ExpInPlace<T>(Span<T> v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) ExpInPlace(MemoryMarshal.Cast<T, float>(v));
        else if (typeof(T) == typeof(double)) ExpInPlace(MemoryMarshal.Cast<T, double>(v));
        else throw new NotSupportedException(typeof(T).Name);
    }

    private static void ExpInPlace(Span<float> v)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float r = ref MemoryMarshal.GetReference(v);
            for (; i <= v.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Exp(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < v.Length; i++) v[i] = MathF.Exp(v[i]);
    }

    private static void ExpInPlace(Span<double> v)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double r = ref MemoryMarshal.GetReference(v);
            for (; i <= v.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                Vector256.Exp(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < v.Length; i++) v[i] = Math.Exp(v[i]);
    }
}
