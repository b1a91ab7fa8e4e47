using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Stride-1, single-group float convolutions as an implicit GEMM with AVX-512, AVX2/FMA or 128-bit vectors: no im2col matrix and no
/// packing of the image. With stride 1, row (c, kh, kw) of the im2col matrix is the (zero-padded) image read at a fixed
/// offset when the output pixels are numbered along the padded row pitch Wp (q = oh·Wp + ow): the Wp − OW columns past
/// the end of each output row are computed and thrown away. So every im2col "row" is a contiguous vector load straight
/// from the image.
/// </summary>
/// <remarks>
/// <para>
/// Forward: a register tile of Mr output channels × QBlock positions (AVX-512: 8 × 48; AVX2: 6 × 16, see
/// <see cref="ConvDirectAvx2"/>; 128 bits: 4 × 12, see <see cref="ConvDirect128"/>; or, on AVX2 and at 128 bits where it
/// wastes fewer multiply-adds, 6 valid positions × 16 channels, see <see cref="ConvPixelsAvx2"/>, or × 8 channels, see
/// <see cref="ConvPixels128.TileAt"/>) accumulates over the C·KH·KW taps, the weights of the Mr channels packed once per call
/// ([block][tap][Mr]), the image of one sample zero-padded into a workspace. On AVX2, few output channels (LeNet conv1:
/// 6) take the row-vector tile instead, 2 channels × 6 vectors of 8 pixels of a row stored straight into the output
/// (<see cref="ConvRowsAvx2"/>).
/// The input gradient is the same kernel: a stride-1 convolution of the output gradient, padded by d·(K−1) − p, with the
/// flipped, transposed weights. The weight gradient dW[k, tap] = Σ_n Σ_q dy[n, k, q] · x[n, tap offset + q] keeps a
/// tile of channels × taps (AVX-512: 4 × 6; AVX2: 2 × 6) in vector accumulators over the positions of a chunk of
/// samples, then sums their lanes; on AVX2, where it wastes fewer multiply-adds, 16 channels (in the vectors) × 6 taps
/// over the valid positions only (<see cref="ConvPixelsWeightAvx2"/>).
/// </para>
/// <para>
/// On AVX2 (without AVX-512), <see cref="Convolution"/> sends the forward pass and input gradient of 3×3 convolutions
/// with at least 16 channels each way to Winograd F(2×2, 3×3) instead (<see cref="ConvWinogradAvx2"/>).
/// </para>
/// <para>
/// Determinism: every output element is summed by one thread in a fixed order (taps in order; positions, then samples
/// of a chunk fixed by the geometry, in lanes summed in a fixed order; chunks in order), whatever the thread count.
/// </para>
/// </remarks>
internal static unsafe class ConvDirect
{
    private const int Mr = 8, Vl = 16, QBlock = 3 * Vl; // AVX-512 forward tile: 8 channels × 48 positions
    private const int WRows = 4, WTaps = 6;             // AVX-512 weight-gradient tile: 4 channels × 6 taps
    private const int Slack = 64;                       // readable zeros after each padded sample (≥ QBlock − 1)

    // The forward tile computes Mr output channels (and the input gradient Mr input channels) at once: with fewer than
    // MinTileRows real ones, most of the arithmetic would be thrown away and im2col + GEMM is faster.
    private const int MinTileRows = 4, MinTileRowsBackwardInput = 6;
    private const int MinTileRowsAvx2 = 3, MinTileRowsBackwardInputAvx2 = 6;
    private const int MinTileRows128 = 3;

    // On AVX2 the input gradient runs here for any number of output channels: with the pixel-rows tiles it is faster
    // than im2col's GEMM + col2im even where the implicit form multiplies a wide zero border of the padded dy (measured
    // on one Zen 3 core, batch 64, `Nabla.Bench conv --threads 1 --cpu-time --kernels`: CompactBNCNN's 16->32 on 28x28,
    // 32->32 and 32->64 on 14x14, padding 1: 5.5 / 2.7 / 5.4 ms against 8.0 / 4.8 / 7.4 ms; the CNN's unpadded 32->64 on
    // 26x26: 19.1 ms both ways). Before the pixel-rows tiles it stopped at 32 output channels.

    /// <summary>Tests set this to run the im2col + GEMM path where this one would apply.</summary>
    internal static bool Disable { get; set; }

    /// <summary>Tests and benchmarks set this to keep the AVX2 channel-rows tiles where the pixel-rows ones would run.</summary>
    internal static bool DisablePixelRows { get; set; }

    /// <summary>Tests and benchmarks set this to keep the other AVX2 tiles where the row-vector one would run.</summary>
    internal static bool DisableRowVectors { get; set; }

    /// <summary>Tests set this to run the row-vector tile (AVX2) on every stride-1 geometry, whatever it costs.</summary>
    internal static bool ForceRowVectors { get; set; }

    // AVX2 and 128 bits: the pixel-rows tile (ConvPixelsAvx2, ConvPixels128.TileAt) where it wastes fewer
    // multiply-adds than the channel-rows one.
    private static bool PixelRows(int kout, int taps, int outH, int outW, int wp) =>
        !DisablePixelRows && !Avx512
        && (Narrow ? ConvPixels128.Better(kout, taps, outH, outW, wp) : ConvPixelsAvx2.Better(kout, taps, outH, outW, wp));

    // Below this many taps (C·KH·KW) a pixel-rows tile's transpose costs more than the waste it saves.
    private const int MinPixelRowTaps = 32;

    /// <summary>
    /// True when a pixel-rows tile (<paramref name="rows"/> valid positions × <paramref name="cols"/> channels) computes
    /// fewer multiply-adds than a channel-rows tile (<paramref name="mr"/> channels × <paramref name="qBlock"/> positions
    /// of the padded rows, the Wp − OW thrown-away columns of every output row included) for a stride-1 convolution to
    /// <paramref name="kout"/> channels of <paramref name="outH"/> × <paramref name="outW"/> read at pitch <paramref name="wp"/>.
    /// </summary>
    internal static bool PixelRowsCheaper(int kout, int taps, int outH, int outW, int wp, int rows, int cols, int mr, int qBlock)
    {
        if (taps < MinPixelRowTaps) return false;
        long p = (long)outH * outW, q = (long)(outH - 1) * wp + outW;
        long pixelRows = (p + rows - 1) / rows * rows * ((kout + cols - 1) / cols * cols);
        long channelRows = (q + qBlock - 1) / qBlock * qBlock * ((kout + mr - 1) / mr * mr);
        return pixelRows < channelRows;
    }

    // The pixel-rows tile's channels and positions on this machine.
    private static int PixelCols => Narrow ? ConvPixels128.Cols : ConvPixelsAvx2.Cols;
    private static int PixelTileRows => Narrow ? ConvPixels128.Rows : ConvPixelsAvx2.Rows;

    private static bool Avx512 => Gemm.UsesAvx512;

    // Without AVX2 (ARM64's NEON, or x86 with DOTNET_EnableAVX2=0) the 128-bit tiles run the forward pass only: the input
    // gradient (which also multiplies the padded dy's zero border) and the weight gradient stay on im2col + GEMM there
    // (measured with DOTNET_EnableAVX2=0 on Zen 3: LeNet conv2 forward + backward 7.4-7.8 ms through im2col against
    // 8.2-13 ms with the direct input gradient).
    private static bool Narrow => !Gemm.UsesAvx2;

    private static bool Eligible(in Conv2dGeometry g) =>
        !Disable && (Gemm.UsesAvx2 || Vector128.IsHardwareAccelerated)
        && g.Groups == 1 && g.StrideH == 1 && g.StrideW == 1 && g.KernelH * g.KernelW > 1;

    /// <summary>True when the forward pass of this geometry (float) runs here.</summary>
    public static bool Applies(in Conv2dGeometry g) => EnoughRows(g) || RowVectorsForward(g);

    // Enough output channels for the channel-rows tile.
    private static bool EnoughRows(in Conv2dGeometry g) =>
        Eligible(g) && g.OutChannels >= (Avx512 ? MinTileRows : Narrow ? MinTileRows128 : MinTileRowsAvx2);

    /// <summary>True when <see cref="Forward"/> runs this geometry with the row-vector tile (AVX2, few output channels).</summary>
    internal static bool RowVectorsForward(in Conv2dGeometry g) =>
        !DisableRowVectors && !Avx512 && !Narrow && Eligible(g)
        && (ForceRowVectors || ConvRowsAvx2.Better(g.OutChannels, g.InChannels * g.KernelH * g.KernelW, g.OutHeight, g.OutWidth, g.Width + 2 * g.PadW));

    /// <summary>True when the weight gradient of this geometry (float) runs here (AVX2 or AVX-512 only).</summary>
    public static bool AppliesBackwardWeight(in Conv2dGeometry g) => !Narrow && EnoughRows(g);

    /// <summary>True when the input gradient of this geometry (float) runs here (AVX2 or AVX-512; padding at most the dilated kernel extent − 1).</summary>
    public static bool AppliesBackwardInput(in Conv2dGeometry g) =>
        !Narrow && Eligible(g) && g.PadH <= g.DilationH * (g.KernelH - 1) && g.PadW <= g.DilationW * (g.KernelW - 1)
        && (Avx512
            ? g.InChannels >= MinTileRowsBackwardInput
            : g.InChannels >= MinTileRowsBackwardInputAvx2);

    /// <summary>True when <see cref="Forward"/> runs this geometry with the pixel-rows tile.</summary>
    internal static bool PixelRowsForward(in Conv2dGeometry g) =>
        PixelRows(g.OutChannels, g.InChannels * g.KernelH * g.KernelW, g.OutHeight, g.OutWidth, g.Width + 2 * g.PadW);

    /// <summary>True when <see cref="BackwardInput"/> runs this geometry with the pixel-rows tile: a convolution of dy,
    /// padded by d·(K−1) − p, to C channels of H × W.</summary>
    internal static bool PixelRowsBackwardInput(in Conv2dGeometry g) =>
        PixelRows(g.InChannels, g.OutChannels * g.KernelH * g.KernelW, g.Height, g.Width,
            g.OutWidth + 2 * (g.DilationW * (g.KernelW - 1) - g.PadW));

    /// <summary>True when <see cref="BackwardWeight"/> runs this geometry with the pixel-rows tile (AVX2).</summary>
    internal static bool PixelRowsBackwardWeight(in Conv2dGeometry g) =>
        !DisablePixelRows && !Avx512 && !Narrow && ConvPixelsWeightAvx2.Better(g.OutChannels, g.OutHeight, g.OutWidth, g.Width + 2 * g.PadW);

    /// <summary>y = conv(x, w) + b.</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* y)
    {
        if (RowVectorsForward(g))
        {
            ConvRowsAvx2.Forward(g, x, w, bias, y);
            return;
        }
        int k = g.OutChannels, c = g.InChannels, kk = g.KernelH * g.KernelW, taps = c * kk;
        bool pixelRows = PixelRowsForward(g);
        int mr = pixelRows ? PixelCols : TileRows, blocks = (k + mr - 1) / mr;
        float[] packed = ArrayPool<float>.Shared.Rent(blocks * taps * mr + blocks * mr);
        fixed (float* pw = packed)
        {
            float* pb = pw + blocks * taps * mr;
            // packed[b][t][r] = w[b·mr + r, t] (zero for channels past K); pb[b·mr + r] = bias (or 0).
            for (int b = 0; b < blocks; b++)
                for (int t = 0; t < taps; t++)
                    for (int r = 0; r < mr; r++)
                    {
                        int o = b * mr + r;
                        pw[((long)b * taps + t) * mr + r] = o < k ? w[(long)o * taps + t] : 0f;
                    }
            for (int o = 0; o < blocks * mr; o++) pb[o] = bias is not null && o < k ? bias[o] : 0f;
            var job = new Plan(g.Batch, x, c, g.Height, g.Width, g.PadH, g.PadW, g.PadH, g.PadW, g.KernelH, g.KernelW,
                g.DilationH, g.DilationW, pw, pb, k, y, g.OutHeight, g.OutWidth, accumulate: false, pixelRows);
            job.Run();
        }
        ArrayPool<float>.Shared.Return(packed);
    }

    /// <summary>dx (+)= convᵀ(dy, w): a stride-1 convolution of dy, padded by d·(K−1) − p, with the flipped weights.</summary>
    public static void BackwardInput(in Conv2dGeometry g, float* dy, float* w, float* dx, bool accumulate)
    {
        int k = g.OutChannels, c = g.InChannels, kh = g.KernelH, kw = g.KernelW, kk = kh * kw, taps = k * kk;
        int padT = g.DilationH * (kh - 1) - g.PadH, padL = g.DilationW * (kw - 1) - g.PadW;
        bool pixelRows = PixelRowsBackwardInput(g);
        int mr = pixelRows ? PixelCols : TileRows, blocks = (c + mr - 1) / mr;
        float[] packed = ArrayPool<float>.Shared.Rent(blocks * taps * mr + blocks * mr);
        fixed (float* pw = packed)
        {
            float* pb = pw + blocks * taps * mr;
            // Tap (o, i, j) of input channel ch reads weight w[o, ch, KH−1−i, KW−1−j].
            for (int b = 0; b < blocks; b++)
                for (int o = 0; o < k; o++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                        {
                            float* dst = pw + ((long)b * taps + (o * kh + i) * kw + j) * mr;
                            for (int r = 0; r < mr; r++)
                            {
                                int ch = b * mr + r;
                                dst[r] = ch < c ? w[(((long)o * c + ch) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] : 0f;
                            }
                        }
            new Span<float>(pb, blocks * mr).Clear();
            var job = new Plan(g.Batch, dy, k, g.OutHeight, g.OutWidth, padT, padL, padT, padL, kh, kw,
                g.DilationH, g.DilationW, pw, pb, c, dx, g.Height, g.Width, accumulate, pixelRows);
            job.Run();
        }
        ArrayPool<float>.Shared.Return(packed);
    }

    // The forward tile's rows and positions on this machine.
    private static int TileRows => Avx512 ? Mr : Narrow ? ConvDirect128.Mr : ConvDirectAvx2.Mr;
    private static int TilePositions => Avx512 ? QBlock : Narrow ? ConvDirect128.QBlock : ConvDirectAvx2.QBlock;

    // One stride-1 convolution of a batch: src [N, cin, hin, win] padded by (padT, padL, padB, padR) into a workspace of
    // pitch wp, packed weights [blocks][cin·kh·kw][mr], output dst [N, kout, outH, outW] (written or added). With pixel
    // rows, mr is the tile's channels (16 with AVX2, 8 at 128 bits) and its positions come from the list _pixels of
    // valid ones.
    private sealed class Plan
    {
        private readonly int _batch, _cin, _hin, _win, _padT, _padL, _hp, _wp, _kout, _outH, _outW, _taps, _blocks, _qPad;
        private readonly int _mr, _qBlock;
        private readonly float* _src, _w, _bias, _dst;
        private readonly int[] _offsets;
        private readonly int[]? _pixels;
        private readonly bool _accumulate, _avx512, _narrow;

        public Plan(int batch, float* src, int cin, int hin, int win, int padT, int padL, int padB, int padR,
            int kh, int kw, int dh, int dw, float* w, float* bias, int kout, float* dst, int outH, int outW, bool accumulate,
            bool pixelRows)
        {
            _batch = batch; _src = src; _cin = cin; _hin = hin; _win = win; _padT = padT; _padL = padL;
            _hp = hin + padT + padB; _wp = win + padL + padR;
            _w = w; _bias = bias; _kout = kout; _dst = dst; _outH = outH; _outW = outW; _accumulate = accumulate;
            _taps = cin * kh * kw;
            _avx512 = Avx512; _narrow = Narrow; _mr = TileRows; _qBlock = TilePositions;
            int q = (outH - 1) * _wp + outW;
            if (pixelRows)
            {
                // Output position p = r·outW + col reads the workspace from r·wp + col; the list is padded to whole tiles
                // with the last position (computed again, not stored).
                _mr = PixelCols;
                int p = outH * outW, tile = PixelTileRows;
                _pixels = new int[(p + tile - 1) / tile * tile];
                for (int i = 0; i < _pixels.Length; i++)
                {
                    int pi = Math.Min(i, p - 1);
                    _pixels[i] = pi / outW * _wp + pi % outW;
                }
                q = 0; // no channel-rows output buffer
            }
            _blocks = (kout + _mr - 1) / _mr;
            _qPad = (q + _qBlock - 1) / _qBlock * _qBlock;
            _offsets = new int[_taps];
            int plane = _hp * _wp;
            for (int c = 0; c < cin; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        _offsets[(c * kh + i) * kw + j] = c * plane + i * dh * _wp + j * dw;
        }

        public void Run() => Parallelism.For(_batch, this, static (p, n) => p.Sample(n));

        private void Sample(int n)
        {
            if (_pixels is not null)
            {
                SamplePixels(n);
                return;
            }
            int plane = _hp * _wp, wsLen = _cin * plane + Slack, tmpLen = _blocks * _mr * _qPad;
            float[] ws = ArrayPool<float>.Shared.Rent(wsLen + tmpLen);
            fixed (float* pws = ws)
            fixed (int* off = _offsets)
            {
                float* tmp = pws + wsLen;
                PadInto(_src + (long)n * _cin * _hin * _win, _cin, _hin, _win, _padT, _padL, _hp, _wp, pws, wsLen);
                for (int b = 0; b < _blocks; b++)
                {
                    float* wb = _w + (long)b * _taps * _mr;
                    float* ob = tmp + (long)b * _mr * _qPad;
                    if (_avx512)
                        for (int q0 = 0; q0 < _qPad; q0 += QBlock)
                            Tile8x48(_taps, off, pws + q0, wb, _bias + b * Mr, ob + q0, _qPad);
                }
                if (_narrow)
                    for (int q0 = 0; q0 < _qPad; q0 += ConvDirect128.QBlock)
                        for (int b = 0; b < _blocks; b++)
                            ConvDirect128.Tile4x12(_taps, off, pws + q0, _w + (long)b * _taps * _mr, _bias + b * ConvDirect128.Mr,
                                tmp + (long)b * _mr * _qPad + q0, _qPad);
                else if (!_avx512)
                    for (int q0 = 0; q0 < _qPad; q0 += ConvDirectAvx2.QBlock)
                        for (int b = 0; b < _blocks; b++)
                            ConvDirectAvx2.Tile6x16(_taps, off, pws + q0, _w + (long)b * _taps * _mr, _bias + b * ConvDirectAvx2.Mr,
                                tmp + (long)b * _mr * _qPad + q0, _qPad);
                // Keep the first outW of every wp positions.
                long outPlane = (long)_outH * _outW;
                float* dn = _dst + (long)n * _kout * outPlane;
                for (int o = 0; o < _kout; o++)
                    for (int r = 0; r < _outH; r++)
                    {
                        var s = new ReadOnlySpan<float>(tmp + (long)o * _qPad + r * _wp, _outW);
                        var d = new Span<float>(dn + o * outPlane + r * _outW, _outW);
                        if (_accumulate) AddTo(s, d);
                        else s.CopyTo(d);
                    }
            }
            ArrayPool<float>.Shared.Return(ws);
        }

        // The pixel-rows tile: one block of channels (16, or 8 at 128 bits) at a time over all positions, then transposed
        // into dst. Every position read is inside the (padded) image, so an unpadded source is read in place.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SamplePixels(int n)
        {
            bool copy = _hp != _hin || _wp != _win;
            int rows = _pixels!.Length, wsLen = copy ? _cin * _hp * _wp : 0, tmpLen = rows * _mr;
            float[] ws = ArrayPool<float>.Shared.Rent(wsLen + tmpLen);
            long outPlane = (long)_outH * _outW;
            float* dn = _dst + (long)n * _kout * outPlane;
            fixed (float* pws = ws)
            fixed (int* off = _offsets, pix = _pixels)
            {
                float* tmp = pws + wsLen, x = _src + (long)n * _cin * _hin * _win;
                if (copy)
                {
                    PadInto(x, _cin, _hin, _win, _padT, _padL, _hp, _wp, pws, wsLen);
                    x = pws;
                }
                for (int b = 0; b < _blocks; b++)
                {
                    float* wb = _w + (long)b * _taps * _mr, bb = _bias + b * _mr;
                    int k0 = b * _mr;
                    if (_narrow)
                    {
                        for (int i = 0; i < rows; i += ConvPixels128.Rows)
                            ConvPixels128.TileAt(_taps, off, x, pix + i, wb, bb, tmp + (long)i * ConvPixels128.Cols);
                        ConvPixels128.Scatter(tmp, (int)outPlane, Math.Min(ConvPixels128.Cols, _kout - k0), dn + k0 * outPlane,
                            (nint)outPlane, _accumulate);
                        continue;
                    }
                    for (int i = 0; i < rows; i += ConvPixelsAvx2.Rows)
                        ConvPixelsAvx2.Tile(_taps, off, x, pix + i, wb, bb, tmp + (long)i * ConvPixelsAvx2.Cols);
                    ConvPixelsAvx2.Scatter(tmp, (int)outPlane, Math.Min(ConvPixelsAvx2.Cols, _kout - k0), dn + k0 * outPlane,
                        (nint)outPlane, _accumulate);
                }
            }
            ArrayPool<float>.Shared.Return(ws);
        }
    }

    // ws[c, padT + r, padL + col] = src[c, r, col]; every other element of ws[0, len) is zero. Each element is written
    // once (the borders between the copied rows cleared, not the whole workspace first).
    internal static void PadInto(float* src, int channels, int h, int w, int padT, int padL, int hp, int wp, float* ws, int len)
    {
        float* d = ws;
        if (hp == h && wp == w)
        {
            new ReadOnlySpan<float>(src, channels * h * w).CopyTo(new Span<float>(d, channels * h * w));
            d += channels * h * w;
        }
        else
        {
            int gap = wp - w, top = padT * wp + padL, bottom = (hp - h - padT) * wp + gap - padL;
            for (int c = 0; c < channels; c++)
            {
                Zero(d, top);
                d += top;
                for (int r = 0; r < h; r++, src += w)
                {
                    Buffer.MemoryCopy(src, d, (long)w * sizeof(float), (long)w * sizeof(float));
                    d += w;
                    if (r < h - 1)
                    {
                        Zero(d, gap);
                        d += gap;
                    }
                }
                Zero(d, bottom);
                d += bottom;
            }
        }
        Zero(d, (int)(ws + len - d));
    }

    private static void Zero(float* d, int n)
    {
        if (n > 16) new Span<float>(d, n).Clear();
        else for (int i = 0; i < n; i++) d[i] = 0f;
    }

    private static void AddTo(ReadOnlySpan<float> s, Span<float> d)
    {
        int i = 0;
        for (; i <= s.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            (Vector128.Create(s.Slice(i)) + Vector128.Create(d.Slice(i))).CopyTo(d.Slice(i));
        for (; i < s.Length; i++) d[i] += s[i];
    }

    // out[r, 0:48] = bias[r] + Σ_t w[t][r] · x[off[t] + 0:48] for r < 8 (rows ldo apart).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x48(int taps, int* off, float* x, float* w, float* bias, float* o, nint ldo)
    {
        Vector512<float> c00 = Vector512.Create(bias[0]), c01 = c00, c02 = c00;
        Vector512<float> c10 = Vector512.Create(bias[1]), c11 = c10, c12 = c10;
        Vector512<float> c20 = Vector512.Create(bias[2]), c21 = c20, c22 = c20;
        Vector512<float> c30 = Vector512.Create(bias[3]), c31 = c30, c32 = c30;
        Vector512<float> c40 = Vector512.Create(bias[4]), c41 = c40, c42 = c40;
        Vector512<float> c50 = Vector512.Create(bias[5]), c51 = c50, c52 = c50;
        Vector512<float> c60 = Vector512.Create(bias[6]), c61 = c60, c62 = c60;
        Vector512<float> c70 = Vector512.Create(bias[7]), c71 = c70, c72 = c70;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var x0 = Avx512F.LoadVector512(xp);
            var x1 = Avx512F.LoadVector512(xp + 16);
            var x2 = Avx512F.LoadVector512(xp + 32);
            var a = Vector512.Create(w[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, x0, c00); c01 = Avx512F.FusedMultiplyAdd(a, x1, c01); c02 = Avx512F.FusedMultiplyAdd(a, x2, c02);
            a = Vector512.Create(w[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, x0, c10); c11 = Avx512F.FusedMultiplyAdd(a, x1, c11); c12 = Avx512F.FusedMultiplyAdd(a, x2, c12);
            a = Vector512.Create(w[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, x0, c20); c21 = Avx512F.FusedMultiplyAdd(a, x1, c21); c22 = Avx512F.FusedMultiplyAdd(a, x2, c22);
            a = Vector512.Create(w[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, x0, c30); c31 = Avx512F.FusedMultiplyAdd(a, x1, c31); c32 = Avx512F.FusedMultiplyAdd(a, x2, c32);
            a = Vector512.Create(w[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, x0, c40); c41 = Avx512F.FusedMultiplyAdd(a, x1, c41); c42 = Avx512F.FusedMultiplyAdd(a, x2, c42);
            a = Vector512.Create(w[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, x0, c50); c51 = Avx512F.FusedMultiplyAdd(a, x1, c51); c52 = Avx512F.FusedMultiplyAdd(a, x2, c52);
            a = Vector512.Create(w[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, x0, c60); c61 = Avx512F.FusedMultiplyAdd(a, x1, c61); c62 = Avx512F.FusedMultiplyAdd(a, x2, c62);
            a = Vector512.Create(w[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, x0, c70); c71 = Avx512F.FusedMultiplyAdd(a, x1, c71); c72 = Avx512F.FusedMultiplyAdd(a, x2, c72);
            w += Mr;
        }
        Avx512F.Store(o, c00); Avx512F.Store(o + 16, c01); Avx512F.Store(o + 32, c02); o += ldo;
        Avx512F.Store(o, c10); Avx512F.Store(o + 16, c11); Avx512F.Store(o + 32, c12); o += ldo;
        Avx512F.Store(o, c20); Avx512F.Store(o + 16, c21); Avx512F.Store(o + 32, c22); o += ldo;
        Avx512F.Store(o, c30); Avx512F.Store(o + 16, c31); Avx512F.Store(o + 32, c32); o += ldo;
        Avx512F.Store(o, c40); Avx512F.Store(o + 16, c41); Avx512F.Store(o + 32, c42); o += ldo;
        Avx512F.Store(o, c50); Avx512F.Store(o + 16, c51); Avx512F.Store(o + 32, c52); o += ldo;
        Avx512F.Store(o, c60); Avx512F.Store(o + 16, c61); Avx512F.Store(o + 32, c62); o += ldo;
        Avx512F.Store(o, c70); Avx512F.Store(o + 16, c71); Avx512F.Store(o + 32, c72);
    }

    // ---------------------------------------------------------------- weight gradient

    /// <summary>dW += Σ_n dy_n ⋆ x_n (the bias gradient is computed elsewhere).</summary>
    public static void BackwardWeight(in Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        var (chunkSize, chunks) = ConvGemm.WeightChunks(g);
        int wlen = g.WeightLength;
        float[]? partials = chunks > 1 ? ArrayPool<float>.Shared.Rent(chunks * wlen) : null;
        try
        {
            fixed (float* pp = partials)
            {
                var job = new WeightPlan(g, x, dy, chunkSize, chunks, partials is null ? dw : pp, accumulate: partials is null);
                Parallelism.For(chunks, job, static (p, ci) => p.Chunk(ci));
                if (pp is not null)
                {
                    // dw += Σ_ci partial_ci, chunks in order.
                    for (int i = 0; i < wlen; i++)
                    {
                        float s = pp[i];
                        for (int ci = 1; ci < chunks; ci++) s += pp[(long)ci * wlen + i];
                        dw[i] += s;
                    }
                }
            }
        }
        finally
        {
            if (partials is not null) ArrayPool<float>.Shared.Return(partials);
        }
    }

    private sealed class WeightPlan
    {
        private readonly int _batch, _c, _h, _w, _padH, _padW, _hp, _wp, _k, _kRows, _oh, _ow, _taps, _tapsPad, _qv;
        private readonly int _chunkSize, _xStride, _dyStride, _rows, _vl;
        private readonly float* _x, _dy, _out;
        private readonly bool _accumulate, _avx512, _pixelRows;
        private readonly int[] _offsets;

        public WeightPlan(in Conv2dGeometry g, float* x, float* dy, int chunkSize, int chunks, float* output, bool accumulate)
        {
            _batch = g.Batch; _c = g.InChannels; _h = g.Height; _w = g.Width; _padH = g.PadH; _padW = g.PadW;
            _hp = _h + 2 * _padH; _wp = _w + 2 * _padW; _k = g.OutChannels; _oh = g.OutHeight; _ow = g.OutWidth;
            _avx512 = Avx512;
            _rows = _avx512 ? WRows : ConvDirectAvx2.WRows;
            _vl = _avx512 ? Vl : ConvDirectAvx2.Vl;
            _kRows = (_k + _rows - 1) / _rows * _rows;
            int kh = g.KernelH, kw = g.KernelW;
            _taps = _c * kh * kw;
            _tapsPad = (_taps + WTaps - 1) / WTaps * WTaps;
            int q = (_oh - 1) * _wp + _ow;
            _qv = (q + _vl - 1) / _vl;
            _chunkSize = chunkSize;
            _pixelRows = PixelRowsBackwardWeight(g);
            if (_pixelRows) _kRows = (_k + ConvPixelsWeightAvx2.Cols - 1) / ConvPixelsWeightAvx2.Cols * ConvPixelsWeightAvx2.Cols;
            _xStride = _c * _hp * _wp + (_pixelRows ? 0 : Slack);
            _dyStride = _pixelRows ? _kRows * _oh * _ow : _kRows * _qv * _vl;
            _x = x; _dy = dy; _out = output; _accumulate = accumulate;
            _offsets = new int[_tapsPad]; // padding taps read offset 0 (results dropped)
            int plane = _hp * _wp;
            for (int c = 0; c < _c; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        _offsets[(c * kh + i) * kw + j] = c * plane + i * g.DilationH * _wp + j * g.DilationW;
        }

        public void Chunk(int ci)
        {
            if (_pixelRows)
            {
                ChunkPixels(ci);
                return;
            }
            int n0 = ci * _chunkSize, ns = Math.Min(_chunkSize, _batch - n0);
            long xLen = (long)ns * _xStride, dyLen = (long)ns * _dyStride;
            float[] ws = ArrayPool<float>.Shared.Rent(checked((int)(xLen + dyLen)));
            long wlen = (long)_k * _taps;
            float* dst = _accumulate ? _out : _out + ci * wlen;
            float* sums = stackalloc float[WRows * WTaps];
            fixed (float* pws = ws)
            fixed (int* off = _offsets)
            {
                float* xs = pws, dys = pws + xLen;
                int ld = _qv * _vl, op = _oh * _ow;
                for (int s = 0; s < ns; s++)
                {
                    int n = n0 + s;
                    PadInto(_x + (long)n * _c * _h * _w, _c, _h, _w, _padH, _padW, _hp, _wp, xs + (long)s * _xStride, _xStride);
                    // dy re-laid at pitch wp (zeros in the thrown-away columns and rows past K).
                    float* d = dys + (long)s * _dyStride;
                    new Span<float>(d, _dyStride).Clear();
                    for (int o = 0; o < _k; o++)
                        for (int r = 0; r < _oh; r++)
                            new ReadOnlySpan<float>(_dy + ((long)n * _k + o) * op + r * _ow, _ow).CopyTo(new Span<float>(d + (long)o * ld + r * _wp, _ow));
                }
                for (int k0 = 0; k0 < _kRows; k0 += _rows)
                    for (int t0 = 0; t0 < _tapsPad; t0 += WTaps)
                    {
                        if (_avx512) Tile4x6(ns, _qv, dys + (long)k0 * ld, ld, _dyStride, xs, _xStride, off + t0, sums);
                        else ConvDirectAvx2.Tile2x6(ns, _qv, dys + (long)k0 * ld, ld, _dyStride, xs, _xStride, off + t0, sums);
                        Put(dst, sums, k0, _rows, WTaps, t0, WTaps, 1);
                    }
            }
            ArrayPool<float>.Shared.Return(ws);
        }

        // dst[k0 + r, t0 + t] (+)= sums[r·rowStride + t·tapStride] for the r < rows, t < taps inside the weight.
        private void Put(float* dst, float* sums, int k0, int rows, int rowStride, int t0, int taps, int tapStride)
        {
            for (int r = 0; r < rows && k0 + r < _k; r++)
                for (int t = 0; t < taps && t0 + t < _taps; t++)
                {
                    float* e = dst + (long)(k0 + r) * _taps + t0 + t;
                    float v = sums[r * rowStride + t * tapStride];
                    *e = _accumulate ? *e + v : v;
                }
        }

        // The pixel-rows tile (AVX2): dy of the chunk re-laid as [16-channel block][sample][position][16]; the image read
        // in place when unpadded (every position read is inside it).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ChunkPixels(int ci)
        {
            const int cols = ConvPixelsWeightAvx2.Cols, wt = ConvPixelsWeightAvx2.Taps;
            int n0 = ci * _chunkSize, ns = Math.Min(_chunkSize, _batch - n0), op = _oh * _ow;
            bool copy = _hp != _h || _wp != _w;
            long xLen = copy ? (long)ns * _xStride : 0, dyLen = (long)ns * _dyStride, blockLen = (long)ns * op * cols;
            float[] ws = ArrayPool<float>.Shared.Rent(checked((int)(xLen + dyLen)));
            long wlen = (long)_k * _taps;
            float* dst = _accumulate ? _out : _out + ci * wlen;
            float* sums = stackalloc float[cols * wt];
            fixed (float* pws = ws)
            fixed (int* off = _offsets)
            {
                float* xs = copy ? pws : _x + (long)n0 * _c * _h * _w, dys = pws + xLen;
                for (int s = 0; s < ns; s++)
                {
                    int n = n0 + s;
                    if (copy) PadInto(_x + (long)n * _c * _h * _w, _c, _h, _w, _padH, _padW, _hp, _wp, xs + (long)s * _xStride, _xStride);
                    for (int k0 = 0; k0 < _kRows; k0 += cols)
                        ConvPixelsWeightAvx2.Gather(_dy + ((long)n * _k + k0) * op, op, Math.Min(cols, _k - k0),
                            dys + k0 / cols * blockLen + (long)s * op * cols);
                }
                for (int k0 = 0; k0 < _kRows; k0 += cols)
                    for (int t0 = 0; t0 < _tapsPad; t0 += wt)
                    {
                        ConvPixelsWeightAvx2.Tile(ns, _oh, _ow, dys + k0 / cols * blockLen, (nint)op * cols, xs, _xStride, _wp,
                            off + t0, sums);
                        Put(dst, sums, k0, cols, 1, t0, wt, cols);
                    }
            }
            ArrayPool<float>.Shared.Return(ws);
        }
    }

    // sums[r, t] = Σ_s Σ_v dy[s][r][v·16 : +16] · x[s][off[t] + v·16 : +16], lanes summed at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x6(int samples, int qv, float* dy, nint ld, nint dyStride, float* x, nint xStride, int* off, float* sums)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default, c34 = default, c35 = default;
        int o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
        for (int s = 0; s < samples; s++)
        {
            float* d = dy + s * dyStride;
            float* xs = x + s * xStride;
            for (int v = 0; v < qv; v++)
            {
                int q = v * Vl;
                var d0 = Avx512F.LoadVector512(d + q);
                var d1 = Avx512F.LoadVector512(d + ld + q);
                var d2 = Avx512F.LoadVector512(d + 2 * ld + q);
                var d3 = Avx512F.LoadVector512(d + 3 * ld + q);
                var x0 = Avx512F.LoadVector512(xs + o0 + q);
                c00 = Avx512F.FusedMultiplyAdd(d0, x0, c00); c10 = Avx512F.FusedMultiplyAdd(d1, x0, c10);
                c20 = Avx512F.FusedMultiplyAdd(d2, x0, c20); c30 = Avx512F.FusedMultiplyAdd(d3, x0, c30);
                var x1 = Avx512F.LoadVector512(xs + o1 + q);
                c01 = Avx512F.FusedMultiplyAdd(d0, x1, c01); c11 = Avx512F.FusedMultiplyAdd(d1, x1, c11);
                c21 = Avx512F.FusedMultiplyAdd(d2, x1, c21); c31 = Avx512F.FusedMultiplyAdd(d3, x1, c31);
                var x2 = Avx512F.LoadVector512(xs + o2 + q);
                c02 = Avx512F.FusedMultiplyAdd(d0, x2, c02); c12 = Avx512F.FusedMultiplyAdd(d1, x2, c12);
                c22 = Avx512F.FusedMultiplyAdd(d2, x2, c22); c32 = Avx512F.FusedMultiplyAdd(d3, x2, c32);
                var x3 = Avx512F.LoadVector512(xs + o3 + q);
                c03 = Avx512F.FusedMultiplyAdd(d0, x3, c03); c13 = Avx512F.FusedMultiplyAdd(d1, x3, c13);
                c23 = Avx512F.FusedMultiplyAdd(d2, x3, c23); c33 = Avx512F.FusedMultiplyAdd(d3, x3, c33);
                var x4 = Avx512F.LoadVector512(xs + o4 + q);
                c04 = Avx512F.FusedMultiplyAdd(d0, x4, c04); c14 = Avx512F.FusedMultiplyAdd(d1, x4, c14);
                c24 = Avx512F.FusedMultiplyAdd(d2, x4, c24); c34 = Avx512F.FusedMultiplyAdd(d3, x4, c34);
                var x5 = Avx512F.LoadVector512(xs + o5 + q);
                c05 = Avx512F.FusedMultiplyAdd(d0, x5, c05); c15 = Avx512F.FusedMultiplyAdd(d1, x5, c15);
                c25 = Avx512F.FusedMultiplyAdd(d2, x5, c25); c35 = Avx512F.FusedMultiplyAdd(d3, x5, c35);
            }
        }
        sums[0] = Vector512.Sum(c00); sums[1] = Vector512.Sum(c01); sums[2] = Vector512.Sum(c02);
        sums[3] = Vector512.Sum(c03); sums[4] = Vector512.Sum(c04); sums[5] = Vector512.Sum(c05);
        sums[6] = Vector512.Sum(c10); sums[7] = Vector512.Sum(c11); sums[8] = Vector512.Sum(c12);
        sums[9] = Vector512.Sum(c13); sums[10] = Vector512.Sum(c14); sums[11] = Vector512.Sum(c15);
        sums[12] = Vector512.Sum(c20); sums[13] = Vector512.Sum(c21); sums[14] = Vector512.Sum(c22);
        sums[15] = Vector512.Sum(c23); sums[16] = Vector512.Sum(c24); sums[17] = Vector512.Sum(c25);
        sums[18] = Vector512.Sum(c30); sums[19] = Vector512.Sum(c31); sums[20] = Vector512.Sum(c32);
        sums[21] = Vector512.Sum(c33); sums[22] = Vector512.Sum(c34); sums[23] = Vector512.Sum(c35);
    }
}
