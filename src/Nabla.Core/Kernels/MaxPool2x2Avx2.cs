using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The float 2×2, stride-2, unpadded max pool (LeNet's and most CNNs') eight outputs at a time with AVX2: the two
/// input rows of a window row are split into even and odd columns, the four candidates compared as vectors, and the
/// argmax indices built from the comparison masks. Same results as <see cref="Pooling"/>'s scalar loop: the first
/// maximum in row-major window order, a NaN replacing a number, and dx[argmax] = dy for the backward pass.
/// </summary>
/// <remarks>Each method does one output row, eight outputs at a time; the last 1..7 with masked loads and stores, which
/// never touch memory past the row's last window.</remarks>
internal static unsafe class MaxPool2x2Avx2
{
    /// <summary>True when these kernels run (AVX2, and the SIMD level not lowered by a test).</summary>
    public static bool IsSupported => Simd.Level == SimdLevel.Vector256;

    /// <summary>
    /// Output row oh: y[q] = max of x[2oh, 2q..2q+1] and x[2oh+1, 2q..2q+1]; idx[q] its in-plane index.
    /// </summary>
    /// <param name="top">Input row 2·oh.</param>
    /// <param name="width">Input width W (the bottom row starts W after the top one).</param>
    /// <param name="topIndex">The in-plane index of <paramref name="top"/>[0], 2·oh·W.</param>
    /// <param name="y">Output row.</param>
    /// <param name="idx">Argmax row.</param>
    /// <param name="outWidth">Outputs in the row.</param>
    /// <returns>The number of outputs done (all of them).</returns>
    public static int Forward(float* top, int width, int topIndex, float* y, int* idx, int outWidth)
    {
        float* bottom = top + width;
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
        {
            var ones = Vector256<float>.AllBitsSet;
            ForwardBlock(top + 2 * q, bottom + 2 * q, width, topIndex + 2 * q, y + q, idx + q, ones, ones, ones, masked: false);
        }
        if (q < outWidth)
        {
            // The last 1..7 outputs: masked loads and stores never touch memory past the row's last pair.
            int r = outWidth - q;
            var (lo, hi, outputs) = Masks(r);
            ForwardBlock(top + 2 * q, bottom + 2 * q, width, topIndex + 2 * q, y + q, idx + q, lo, hi, outputs, masked: true);
        }
        return outWidth;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBlock(float* top, float* bottom, int width, int topIndex, float* y, int* idx,
        Vector256<float> lo, Vector256<float> hi, Vector256<float> outputs, bool masked)
    {
        var (a, b) = Split(Load(top, lo, masked), Load(top + 8, hi, masked));
        var (c, d) = Split(Load(bottom, lo, masked), Load(bottom + 8, hi, masked));
        var upTakes = Takes(b, a);
        var downTakes = Takes(d, c);
        var up = Avx.BlendVariable(a, b, upTakes);
        var down = Avx.BlendVariable(c, d, downTakes);
        var rowTakes = Takes(down, up);
        var colTakes = Avx.BlendVariable(upTakes, downTakes, rowTakes);
        var max = Avx.BlendVariable(up, down, rowTakes);
        var index = Vector256.Create(topIndex) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14)
                    + (rowTakes.AsInt32() & Vector256.Create(width)) + (colTakes.AsInt32() & Vector256.Create(1));
        if (masked)
        {
            Avx.MaskStore(y, outputs, max);
            Avx2.MaskStore(idx, outputs.AsInt32(), index);
        }
        else
        {
            Avx.Store(y, max);
            Avx.Store(idx, index);
        }
    }

    /// <summary>
    /// The backward pass of one output row: each window's four input gradients are dy at its argmax and 0 elsewhere,
    /// written over (or added to) input rows 2·oh and 2·oh + 1.
    /// </summary>
    /// <param name="dy">Output-gradient row.</param>
    /// <param name="idx">Argmax row (from <see cref="Forward"/> or the scalar loop).</param>
    /// <param name="outWidth">Outputs in the row.</param>
    /// <param name="dxTop">Input-gradient row 2·oh.</param>
    /// <param name="width">Input width W.</param>
    /// <param name="topIndex">2·oh·W.</param>
    /// <param name="accumulate">Add instead of overwrite.</param>
    /// <returns>The number of outputs done (all of them).</returns>
    public static int Backward(float* dy, int* idx, int outWidth, float* dxTop, int width, int topIndex, bool accumulate)
    {
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
        {
            var ones = Vector256<float>.AllBitsSet;
            BackwardBlock(dy + q, idx + q, dxTop + 2 * q, width, topIndex + 2 * q, accumulate, ones, ones, ones, masked: false);
        }
        if (q < outWidth)
        {
            var (lo, hi, outputs) = Masks(outWidth - q);
            BackwardBlock(dy + q, idx + q, dxTop + 2 * q, width, topIndex + 2 * q, accumulate, lo, hi, outputs, masked: true);
        }
        return outWidth;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardBlock(float* dy, int* idx, float* dxTop, int width, int topIndex, bool accumulate,
        Vector256<float> lo, Vector256<float> hi, Vector256<float> outputs, bool masked)
    {
        var g = Load(dy, outputs, masked);
        var at = (masked ? Avx2.MaskLoad(idx, outputs.AsInt32()) : Avx.LoadVector256(idx))
                 - (Vector256.Create(topIndex) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14));
        // Where in its window each argmax lies: 0, 1 (right), W (below) or W + 1.
        var topEven = g & Vector256.Equals(at, Vector256<int>.Zero).AsSingle();
        var topOdd = g & Vector256.Equals(at, Vector256.Create(1)).AsSingle();
        var bottomEven = g & Vector256.Equals(at, Vector256.Create(width)).AsSingle();
        var bottomOdd = g & Vector256.Equals(at, Vector256.Create(width + 1)).AsSingle();
        Put(dxTop, topEven, topOdd, accumulate, lo, hi, masked);
        Put(dxTop + width, bottomEven, bottomOdd, accumulate, lo, hi, masked);
    }

    // Lane masks for the last r (1..7) outputs: input lanes 0..2r−1 of the sixteen, output lanes 0..r−1.
    private static (Vector256<float> Lo, Vector256<float> Hi, Vector256<float> Outputs) Masks(int r)
    {
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        return (Vector256.LessThan(lane, Vector256.Create(2 * r)).AsSingle(),
                Vector256.LessThan(lane + Vector256.Create(8), Vector256.Create(2 * r)).AsSingle(),
                Vector256.LessThan(lane, Vector256.Create(r)).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* p, Vector256<float> mask, bool masked)
        => masked ? Avx.MaskLoad(p, mask) : Avx.LoadVector256(p);

    // Sixteen consecutive floats (lo, hi) as their even- and odd-indexed halves, each in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Split(Vector256<float> lo, Vector256<float> hi)
    {
        // Per 128-bit lane: (p0 p2 p8 p10 | p4 p6 p12 p14); then the 64-bit pairs reordered to (0, 2, 1, 3).
        var even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        return (even, odd);
    }

    // Interleaves even and odd back into sixteen consecutive floats at p (stored or added; masked to lo/hi).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, Vector256<float> even, Vector256<float> odd, bool accumulate,
        Vector256<float> lo, Vector256<float> hi, bool masked)
    {
        var l = Avx.UnpackLow(even, odd);   // e0 o0 e1 o1 | e4 o4 e5 o5
        var h = Avx.UnpackHigh(even, odd);  // e2 o2 e3 o3 | e6 o6 e7 o7
        var first = Avx.Permute2x128(l, h, 0x20);
        var second = Avx.Permute2x128(l, h, 0x31);
        if (accumulate)
        {
            first += Load(p, lo, masked);
            second += Load(p + 8, hi, masked);
        }
        if (masked)
        {
            Avx.MaskStore(p, lo, first);
            Avx.MaskStore(p + 8, hi, second);
        }
        else
        {
            Avx.Store(p, first);
            Avx.Store(p + 8, second);
        }
    }

    // All ones where the candidate replaces the current first maximum: strictly larger, or a NaN replacing a number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Takes(Vector256<float> candidate, Vector256<float> current)
        => Vector256.GreaterThan(candidate, current)
         | Vector256.AndNot(~Vector256.Equals(candidate, candidate), ~Vector256.Equals(current, current));
}
