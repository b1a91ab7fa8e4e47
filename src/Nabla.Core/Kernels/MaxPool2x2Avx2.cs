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
/// <remarks>Each method does one output row, eight outputs at a time; the last 1..7 through zero-padded scratch copies,
/// so nothing past the row's last window is read or written.</remarks>
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
    /// <param name="readable">How many floats of the input buffer start at <paramref name="top"/>.</param>
    /// <returns>The number of outputs done (all of them).</returns>
    public static int Forward(float* top, int width, int topIndex, float* y, int* idx, int outWidth, long readable)
    {
        float* bottom = top + width;
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
            ForwardBlock(top + 2 * q, bottom + 2 * q, width, topIndex + 2 * q, y + q, idx + q);
        if (q < outWidth)
        {
            // The last 1..7 outputs: eight computed, r kept. Where the buffer goes on (most rows), the sixteen values
            // are read straight from it (the extra ones are discarded); else through zero-padded copies. (Masked
            // loads and stores are slow on AMD; scalar copies read back as vectors stall store forwarding.)
            int r = outWidth - q, n = 2 * r;
            float* yt = stackalloc float[8];
            int* it = stackalloc int[8];
            if (width + 2 * q + 16 <= readable)
            {
                ForwardBlock(top + 2 * q, bottom + 2 * q, width, topIndex + 2 * q, yt, it);
                for (int i = 0; i < r; i++) { y[q + i] = yt[i]; idx[q + i] = it[i]; }
                return outWidth;
            }
            float* t = stackalloc float[32];
            // (Plain loops: these copies are a few elements, far below what a memmove call is worth.)
            Avx.Store(t, Vector256<float>.Zero); Avx.Store(t + 8, Vector256<float>.Zero);
            Avx.Store(t + 16, Vector256<float>.Zero); Avx.Store(t + 24, Vector256<float>.Zero);
            for (int i = 0; i < n; i++) { t[i] = top[2 * q + i]; t[16 + i] = bottom[2 * q + i]; }
            ForwardBlock(t, t + 16, width, topIndex + 2 * q, yt, it);
            for (int i = 0; i < r; i++) { y[q + i] = yt[i]; idx[q + i] = it[i]; }
        }
        return outWidth;
    }

    // Eight outputs from sixteen values of each of the two rows; the indices assume the bottom row is width after the top.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBlock(float* top, float* bottom, int width, int topIndex, float* y, int* idx)
    {
        var (a, b) = Split(Avx.LoadVector256(top), Avx.LoadVector256(top + 8));
        var (c, d) = Split(Avx.LoadVector256(bottom), Avx.LoadVector256(bottom + 8));
        var upTakes = Takes(b, a);
        var downTakes = Takes(d, c);
        var up = Avx.BlendVariable(a, b, upTakes);
        var down = Avx.BlendVariable(c, d, downTakes);
        var rowTakes = Takes(down, up);
        var colTakes = Avx.BlendVariable(upTakes, downTakes, rowTakes);
        Avx.Store(y, Avx.BlendVariable(up, down, rowTakes));
        Avx.Store(idx, Vector256.Create(topIndex) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14)
                       + (rowTakes.AsInt32() & Vector256.Create(width)) + (colTakes.AsInt32() & Vector256.Create(1)));
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
    /// <param name="readable">How many elements of dy (and of the argmax buffer) start at <paramref name="dy"/>.</param>
    /// <returns>The number of outputs done (all of them).</returns>
    public static int Backward(float* dy, int* idx, int outWidth, float* dxTop, int width, int topIndex, bool accumulate, long readable)
    {
        float* dxBottom = dxTop + width;
        int q = 0;
        for (; q + 8 <= outWidth; q += 8)
            BackwardBlock(dy + q, idx + q, dxTop + 2 * q, dxBottom + 2 * q, width, topIndex + 2 * q, accumulate);
        if (q < outWidth)
        {
            // The last 1..7 outputs into zeroed scratch rows, then their 2r values stored or added.
            int r = outWidth - q, n = 2 * r;
            float* t = stackalloc float[32];
            if (q + 8 <= readable) BackwardBlock(dy + q, idx + q, t, t + 16, width, topIndex + 2 * q, accumulate: false);
            else
            {
                float* g = stackalloc float[8];
                int* at = stackalloc int[8];
                Avx.Store(g, Vector256<float>.Zero);
                Avx.Store(at, Vector256.Create(-1)); // matches no window position
                for (int i = 0; i < r; i++) { g[i] = dy[q + i]; at[i] = idx[q + i]; }
                BackwardBlock(g, at, t, t + 16, width, topIndex + 2 * q, accumulate: false);
            }
            float* top = dxTop + 2 * q, bottom = dxBottom + 2 * q;
            if (accumulate)
                for (int i = 0; i < n; i++) { top[i] += t[i]; bottom[i] += t[16 + i]; }
            else
                for (int i = 0; i < n; i++) { top[i] = t[i]; bottom[i] = t[16 + i]; }
        }
        return outWidth;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardBlock(float* dy, int* idx, float* dxTop, float* dxBottom, int width, int topIndex, bool accumulate)
    {
        var g = Avx.LoadVector256(dy);
        // Where in its window each argmax lies: 0, 1 (right), W (below) or W + 1.
        var at = Avx.LoadVector256(idx) - (Vector256.Create(topIndex) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14));
        var topEven = g & Vector256.Equals(at, Vector256<int>.Zero).AsSingle();
        var topOdd = g & Vector256.Equals(at, Vector256.Create(1)).AsSingle();
        var bottomEven = g & Vector256.Equals(at, Vector256.Create(width)).AsSingle();
        var bottomOdd = g & Vector256.Equals(at, Vector256.Create(width + 1)).AsSingle();
        Put(dxTop, topEven, topOdd, accumulate);
        Put(dxBottom, bottomEven, bottomOdd, accumulate);
    }

    // Sixteen consecutive floats (lo, hi) as their even- and odd-indexed halves, each in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Split(Vector256<float> lo, Vector256<float> hi)
    {
        // Per 128-bit lane: (p0 p2 p8 p10 | p4 p6 p12 p14); then the 64-bit pairs reordered to (0, 2, 1, 3).
        var even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        return (even, odd);
    }

    // Interleaves even and odd back into sixteen consecutive floats at p (stored or added).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, Vector256<float> even, Vector256<float> odd, bool accumulate)
    {
        var l = Avx.UnpackLow(even, odd);   // e0 o0 e1 o1 | e4 o4 e5 o5
        var h = Avx.UnpackHigh(even, odd);  // e2 o2 e3 o3 | e6 o6 e7 o7
        var first = Avx.Permute2x128(l, h, 0x20);
        var second = Avx.Permute2x128(l, h, 0x31);
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
