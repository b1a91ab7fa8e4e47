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
/// <remarks>Each method does the leading multiple of eight outputs of one output row and returns how many it did; the
/// caller finishes the row.</remarks>
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
    /// <returns>The number of outputs done (a multiple of 8).</returns>
    public static int Forward(float* top, int width, int topIndex, float* y, int* idx, int outWidth)
    {
        float* bottom = top + width;
        var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        var rowStep = Vector256.Create(width);
        var one = Vector256.Create(1);
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
        {
            Split(top + 2 * q, out var a, out var b);
            Split(bottom + 2 * q, out var c, out var d);
            var upTakes = Takes(b, a);
            var downTakes = Takes(d, c);
            var up = Avx.BlendVariable(a, b, upTakes);
            var down = Avx.BlendVariable(c, d, downTakes);
            var rowTakes = Takes(down, up);
            Avx.Store(y + q, Avx.BlendVariable(up, down, rowTakes));
            var colTakes = Avx.BlendVariable(upTakes, downTakes, rowTakes);
            var index = Vector256.Create(topIndex + 2 * q) + lanes
                        + (rowTakes.AsInt32() & rowStep) + (colTakes.AsInt32() & one);
            Avx.Store(idx + q, index);
        }
        return q;
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
    /// <returns>The number of outputs done (a multiple of 8).</returns>
    public static int Backward(float* dy, int* idx, int outWidth, float* dxTop, int width, int topIndex, bool accumulate)
    {
        float* dxBottom = dxTop + width;
        var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        var right = Vector256.Create(1);
        var below = Vector256.Create(width);
        var belowRight = Vector256.Create(width + 1);
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
        {
            var g = Avx.LoadVector256(dy + q);
            // Where in its window each argmax lies: 0, 1 (right), W (below) or W + 1.
            var at = Avx.LoadVector256(idx + q) - (Vector256.Create(topIndex + 2 * q) + lanes);
            var topEven = g & Vector256.Equals(at, Vector256<int>.Zero).AsSingle();
            var topOdd = g & Vector256.Equals(at, right).AsSingle();
            var bottomEven = g & Vector256.Equals(at, below).AsSingle();
            var bottomOdd = g & Vector256.Equals(at, belowRight).AsSingle();
            Put(dxTop + 2 * q, topEven, topOdd, accumulate);
            Put(dxBottom + 2 * q, bottomEven, bottomOdd, accumulate);
        }
        return q;
    }

    // Sixteen consecutive floats as their even- and odd-indexed halves, each in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(float* p, out Vector256<float> even, out Vector256<float> odd)
    {
        var lo = Avx.LoadVector256(p);
        var hi = Avx.LoadVector256(p + 8);
        // Per 128-bit lane: (p0 p2 p8 p10 | p4 p6 p12 p14); then the 64-bit pairs reordered to (0, 2, 1, 3).
        even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    }

    // Interleaves even and odd back into sixteen consecutive floats at p (stored or added).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, Vector256<float> even, Vector256<float> odd, bool accumulate)
    {
        var lo = Avx.UnpackLow(even, odd);   // e0 o0 e1 o1 | e4 o4 e5 o5
        var hi = Avx.UnpackHigh(even, odd);  // e2 o2 e3 o3 | e6 o6 e7 o7
        var first = Avx.Permute2x128(lo, hi, 0x20);
        var second = Avx.Permute2x128(lo, hi, 0x31);
        if (accumulate)
        {
            first += Avx.LoadVector256(p);
            second += Avx.LoadVector256(p + 8);
        }
        Avx.Store(p, first);
        Avx.Store(p + 8, second);
    }

    // All ones where the candidate replaces the current first maximum: strictly larger, or a NaN replacing a number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Takes(Vector256<float> candidate, Vector256<float> current)
        => Vector256.GreaterThan(candidate, current)
         | Vector256.AndNot(~Vector256.Equals(candidate, candidate), ~Vector256.Equals(current, current));
}
