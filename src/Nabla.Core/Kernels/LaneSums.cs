using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The sum of a vector's lanes by a pairwise tree: lanes (0+1), (2+3), … then pairs of those, up to one value, so a
/// sum has one fixed order at every width. <see cref="Four{T}"/> reduces four vectors at once with horizontal adds
/// where the hardware has them (AVX, SSE3, Arm64 pairwise adds); every path gives the scalar tree's result.
/// </summary>
internal static unsafe class LaneSums
{
    /// <summary>The lanes of <paramref name="v"/> summed by the pairwise tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T One<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            if (Vector<T>.Count == 8 && Avx.IsSupported)
            {
                var h = v.AsVector256().AsSingle();
                h = Avx.HorizontalAdd(h, h);
                h = Avx.HorizontalAdd(h, h);
                return Unsafe.BitCast<float, T>((h.GetLower() + h.GetUpper()).ToScalar());
            }
            if (Vector<T>.Count == 4 && Sse3.IsSupported)
            {
                var h = v.AsVector128().AsSingle();
                h = Sse3.HorizontalAdd(h, h);
                return Unsafe.BitCast<float, T>(Sse3.HorizontalAdd(h, h).ToScalar());
            }
            if (Vector<T>.Count == 4 && AdvSimd.Arm64.IsSupported)
            {
                var h = v.AsVector128().AsSingle();
                h = AdvSimd.Arm64.AddPairwise(h, h);
                return Unsafe.BitCast<float, T>(AdvSimd.Arm64.AddPairwise(h, h).ToScalar());
            }
        }
        return Tree(v);
    }

    /// <summary>The lane sums of four vectors into <paramref name="sums"/>[0..3], each as <see cref="One{T}"/> gives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Four<T>(Vector<T> a, Vector<T> b, Vector<T> c, Vector<T> d, T* sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            if (Vector<T>.Count == 8 && Avx.IsSupported)
            {
                var ab = Avx.HorizontalAdd(a.AsVector256().AsSingle(), b.AsVector256().AsSingle());
                var cd = Avx.HorizontalAdd(c.AsVector256().AsSingle(), d.AsVector256().AsSingle());
                var abcd = Avx.HorizontalAdd(ab, cd); // [a0123, b0123, c0123, d0123 | a4567, b4567, c4567, d4567]
                (abcd.GetLower() + abcd.GetUpper()).Store((float*)sums);
                return;
            }
            if (Vector<T>.Count == 4 && Sse3.IsSupported)
            {
                var ab = Sse3.HorizontalAdd(a.AsVector128().AsSingle(), b.AsVector128().AsSingle());
                var cd = Sse3.HorizontalAdd(c.AsVector128().AsSingle(), d.AsVector128().AsSingle());
                Sse3.HorizontalAdd(ab, cd).Store((float*)sums);
                return;
            }
            if (Vector<T>.Count == 4 && AdvSimd.Arm64.IsSupported)
            {
                var ab = AdvSimd.Arm64.AddPairwise(a.AsVector128().AsSingle(), b.AsVector128().AsSingle());
                var cd = AdvSimd.Arm64.AddPairwise(c.AsVector128().AsSingle(), d.AsVector128().AsSingle());
                AdvSimd.Arm64.AddPairwise(ab, cd).Store((float*)sums);
                return;
            }
        }
        sums[0] = Tree(a); sums[1] = Tree(b); sums[2] = Tree(c); sums[3] = Tree(d);
    }

    /// <summary>The pairwise tree in scalar code: the reference every vector path reproduces.</summary>
    internal static T Tree<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = Vector<T>.Count;
        T* t = stackalloc T[n];
        v.Store(t);
        for (; n > 1; n /= 2)
            for (int i = 0; i < n / 2; i++) t[i] = t[2 * i] + t[2 * i + 1];
        return t[0];
    }
}
