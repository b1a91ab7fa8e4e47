using System.Numerics;
using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// The vector vocabulary of the update rules: loads and stores of <see cref="Vector{T}"/> lanes that cover the tail of
/// a span (the kernels' <see cref="Simd"/> helpers), sign, the coupled penalties and broadcast scalars, so that every
/// update rule is written once, in vector form, for float and double.
/// </summary>
internal static class VectorOps
{
    /// <summary>The lanes <c>[i, i + Count)</c> of <paramref name="s"/>; lanes past the end read as zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) where T : unmanaged => Simd.LoadPartial(s, i);

    /// <summary>Writes the lanes of <paramref name="v"/> that fall inside <paramref name="s"/>, from index <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Span<T> s, int i, Vector<T> v) where T : unmanaged => Simd.StorePartial(v, s, i);

    /// <summary>sign(x) lane-wise: 1, −1 or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Sign<T>(Vector<T> x) where T : unmanaged
        => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero)
         - Vector.ConditionalSelect(Vector.LessThan(x, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero);

    /// <summary>
    /// The gradient with the coupled penalties added: g + λ₂θ + λ₁·sign(θ) (L2 weight decay, then L1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Penalized<T>(Vector<T> g, Vector<T> theta, Vector<T> l2, Vector<T> l1) where T : unmanaged
        => g + l2 * theta + l1 * Sign(theta);

    /// <summary>
    /// <paramref name="v"/> with every element below the smallest normal number in magnitude set to zero. Optimizers
    /// apply it to the moments they decay: a moment whose gradient stays zero (a pixel that is almost always blank, a
    /// dead ReLU unit) shrinks by β at every step into the subnormal range and stays there, since rounding to nearest
    /// keeps β·s at the smallest subnormals; every operation on a subnormal then takes a slow microcode path. After
    /// 2,000 MNIST steps 5% of an MLP's first-layer Adam moments were subnormal and the Adam step took 70% longer
    /// (Zen 3). Such a moment changes no weight: with it, Adam's update α·ŝ/(√r̂ + ε) is below 1e-30.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> FlushSubnormal<T>(Vector<T> v) where T : unmanaged, INumberBase<T>
        => Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(v), MinNormal<T>()), Vector<T>.Zero, v);

    // The smallest positive normal number of float or double.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MinNormal<T>() where T : unmanaged, INumberBase<T>
        => typeof(T) == typeof(float) ? new(T.CreateTruncating(1.1754943508222875e-38)) : new(T.CreateTruncating(2.2250738585072014e-308));

    /// <summary>A scalar broadcast to every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Splat<T>(double value) where T : unmanaged, INumberBase<T>
        => new(T.CreateTruncating(value));
}
