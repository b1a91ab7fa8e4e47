using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The AVX2/FMA "row vectors" forward tile of the stride-1 convolution (<see cref="ConvDirect"/>), made for few output
/// channels: 2 output channels × 6 vectors of 8 consecutive output pixels of a row (12 accumulators, 2 broadcast weights,
/// one image vector), over the C·KH·KW taps with unaligned loads from the zero-padded image. Every output row is cut
/// into vectors of 8 (the last one partial when OW is not a multiple of 8) so that no vector straddles two rows; the
/// tile's 6 vectors come from a list of them (of any rows) and are stored straight into the output planes, the partial
/// ones 4, 2 and 1 lanes at a time (a masked store, vmaskmovps, made the tile slower than the channel-rows one on Zen 3).
/// The channel-rows tile (<see cref="ConvDirectAvx2"/>) instead computes positions along the
/// padded pitch into a workspace and copies the valid ones out; this tile skips that copy, which is most of what it
/// saves (LeNet-5 conv1: 6 channels of 28 × 28, both tiles compute rows rounded to 32). <see cref="Better"/> picks it by
/// cost, which also takes a first layer to 32 channels of 26 × 26 (CNN conv1: measured 0.75 → 0.63 ms at batch 64).
/// </summary>
/// <remarks>
/// Every output is bias + Σ_t w[t] · x[t] fused in tap order, as in the channel-rows tile, so the two tiles give the
/// same bits. Samples run in parallel, each wholly on one thread.
/// </remarks>
internal static unsafe class ConvRowsAvx2
{
    /// <summary>Output channels of the tile.</summary>
    public const int Channels = 2;

    /// <summary>Vectors (of 8 pixels) of the tile.</summary>
    public const int Vectors = 6;

    private const int Vl = 8;

    // The channel-rows tile copies every output element out of its workspace: measured on LeNet conv1 (25 taps), the
    // copy costs about as much as 4 multiply-adds per output element.
    private const int CopyCost = 4;

    // Lanes read past the last padded plane: a row's last vector reaches 7 lanes past the row's last output.
    private const int Slack = Vl;

    /// <summary>
    /// True when the row-vector tile costs less than the tile <see cref="ConvDirect"/> would otherwise run for a stride-1
    /// convolution to <paramref name="kout"/> channels of <paramref name="outH"/> × <paramref name="outW"/> read at pitch
    /// <paramref name="wp"/>: fewer multiply-adds (lanes) than pixel rows where those run
    /// (<see cref="ConvPixelsAvx2.Better"/>), else fewer than channel rows plus the copy of the output they need.
    /// </summary>
    public static bool Better(int kout, int taps, int outH, int outW, int wp)
    {
        long p = (long)outH * outW, q = (long)(outH - 1) * wp + outW;
        long vectors = (long)outH * ((outW + Vl - 1) / Vl);
        long rows = (vectors + Vectors - 1) / Vectors * Vectors * Vl * ((kout + Channels - 1) / Channels * Channels) * taps;
        if (ConvPixelsAvx2.Better(kout, taps, outH, outW, wp))
            return rows < (p + ConvPixelsAvx2.Rows - 1) / ConvPixelsAvx2.Rows * ConvPixelsAvx2.Rows
                * ((kout + ConvPixelsAvx2.Cols - 1) / ConvPixelsAvx2.Cols * ConvPixelsAvx2.Cols) * taps;
        long channelRows = (q + ConvDirectAvx2.QBlock - 1) / ConvDirectAvx2.QBlock * ConvDirectAvx2.QBlock
            * ((kout + ConvDirectAvx2.Mr - 1) / ConvDirectAvx2.Mr * ConvDirectAvx2.Mr) * taps;
        return rows < channelRows + CopyCost * kout * p;
    }

    /// <summary>y = conv(x, w) + b for a stride-1, single-group geometry (bias may be null).</summary>
    public static void Forward(in Conv2dGeometry g, float* x, float* w, float* bias, float* y)
    {
        int k = g.OutChannels, taps = g.InChannels * g.KernelH * g.KernelW, blocks = (k + Channels - 1) / Channels;
        float[] buf = ArrayPool<float>.Shared.Rent(blocks * Channels * (taps + 1));
        fixed (float* pw = buf)
        {
            // packed[b][t][r] = w[b·2 + r, t], pb[b·2 + r] = bias (zero past K).
            float* pb = pw + blocks * Channels * taps;
            for (int b = 0; b < blocks; b++)
                for (int r = 0; r < Channels; r++)
                {
                    int o = b * Channels + r;
                    for (int t = 0; t < taps; t++) pw[((long)b * taps + t) * Channels + r] = o < k ? w[(long)o * taps + t] : 0f;
                    pb[o] = bias is not null && o < k ? bias[o] : 0f;
                }
            new Plan(g, x, pw, pb, y).Run();
        }
        ArrayPool<float>.Shared.Return(buf);
    }

    // One forward call: the vectors of an output plane listed as (input offset, output offset, lanes), padded to whole
    // tiles with lane-less copies of the last one.
    private sealed class Plan
    {
        private readonly int _batch, _cin, _h, _w, _padT, _padL, _hp, _wp, _kout, _taps, _outPlane, _wsLen;
        private readonly float* _x, _pw, _pb, _y;
        private readonly int[] _offsets, _vectors; // _vectors: input offsets, then output offsets, then lanes

        public Plan(in Conv2dGeometry g, float* x, float* pw, float* pb, float* y)
        {
            _batch = g.Batch; _cin = g.InChannels; _h = g.Height; _w = g.Width; _padT = g.PadH; _padL = g.PadW;
            _hp = _h + 2 * _padT; _wp = _w + 2 * _padL; _kout = g.OutChannels; _x = x; _pw = pw; _pb = pb; _y = y;
            int kh = g.KernelH, kw = g.KernelW, outH = g.OutHeight, outW = g.OutWidth, plane = _hp * _wp;
            _taps = _cin * kh * kw;
            _outPlane = outH * outW;
            _wsLen = _cin * plane + Slack;
            _offsets = new int[_taps];
            for (int c = 0; c < _cin; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        _offsets[(c * kh + i) * kw + j] = c * plane + i * g.DilationH * _wp + j * g.DilationW;
            _vectors = VectorList.For(outH, outW, _wp);
        }

        public void Run() => Parallelism.For(_batch, this, static (p, n) => p.Sample(n));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Sample(int n)
        {
            float[] ws = ArrayPool<float>.Shared.Rent(_wsLen);
            int count = _vectors.Length / 3, blocks = (_kout + Channels - 1) / Channels;
            fixed (float* pws = ws)
            fixed (int* off = _offsets, vec = _vectors)
            {
                ConvDirect.PadInto(_x + (long)n * _cin * _h * _w, _cin, _h, _w, _padT, _padL, _hp, _wp, pws, _wsLen);
                float* yn = _y + (long)n * _kout * _outPlane;
                for (int b = 0; b < blocks; b++)
                {
                    int k0 = b * Channels;
                    float* wb = _pw + (long)b * _taps * Channels;
                    for (int i = 0; i < count; i += Vectors)
                        Tile(_taps, off, pws, vec + i, wb, _pb + k0, yn + (long)k0 * _outPlane, Math.Min(Channels, _kout - k0),
                            _outPlane, vec + count + i, vec + 2 * count + i);
                }
            }
            ArrayPool<float>.Shared.Return(ws);
        }
    }

    // The vectors of an outH × outW output read at pitch wp, kept for the next call (a training step calls with one
    // geometry): input offsets, then output offsets, then lanes; padded to whole tiles with lane-less copies of the last.
    private sealed class VectorList(int outH, int outW, int wp, int[] list)
    {
        private static VectorList? s_last;

        public static int[] For(int outH, int outW, int wp)
        {
            var last = s_last;
            if (last is not null && last._outH == outH && last._outW == outW && last._wp == wp) return last._list;
            int perRow = (outW + Vl - 1) / Vl, n = outH * perRow, padded = (n + Vectors - 1) / Vectors * Vectors;
            var v = new int[3 * padded];
            for (int i = 0; i < padded; i++)
            {
                int u = Math.Min(i, n - 1), r = u / perRow, col = u % perRow * Vl;
                v[i] = r * wp + col;
                v[padded + i] = r * outW + col;
                v[2 * padded + i] = i < n ? Math.Min(Vl, outW - col) : 0;
            }
            s_last = new VectorList(outH, outW, wp, v);
            return v;
        }

        private readonly int _outH = outH, _outW = outW, _wp = wp;
        private readonly int[] _list = list;
    }

    /// <summary>
    /// y[r·plane + vout[i] + l] = bias[r] + Σ_t w[t][r] · x[off[t] + vin[i] + l] for the 6 vectors i, their first
    /// lanes[i] lanes l, and r &lt; <paramref name="channels"/> (1 or 2), taps in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int taps, int* off, float* x, int* vin, float* w, float* bias, float* y, int channels, nint plane,
        int* vout, int* lanes)
    {
        nint i0 = vin[0], i1 = vin[1], i2 = vin[2], i3 = vin[3], i4 = vin[4], i5 = vin[5];
        Vector256<float> c00 = Vector256.Create(bias[0]), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
        Vector256<float> c10 = Vector256.Create(bias[1]), c11 = c10, c12 = c10, c13 = c10, c14 = c10, c15 = c10;
        for (int t = 0; t < taps; t++)
        {
            float* xp = x + off[t];
            var a0 = Avx.BroadcastScalarToVector256(w);
            var a1 = Avx.BroadcastScalarToVector256(w + 1);
            var v = Avx.LoadVector256(xp + i0);
            c00 = Fma.MultiplyAdd(a0, v, c00); c10 = Fma.MultiplyAdd(a1, v, c10);
            v = Avx.LoadVector256(xp + i1);
            c01 = Fma.MultiplyAdd(a0, v, c01); c11 = Fma.MultiplyAdd(a1, v, c11);
            v = Avx.LoadVector256(xp + i2);
            c02 = Fma.MultiplyAdd(a0, v, c02); c12 = Fma.MultiplyAdd(a1, v, c12);
            v = Avx.LoadVector256(xp + i3);
            c03 = Fma.MultiplyAdd(a0, v, c03); c13 = Fma.MultiplyAdd(a1, v, c13);
            v = Avx.LoadVector256(xp + i4);
            c04 = Fma.MultiplyAdd(a0, v, c04); c14 = Fma.MultiplyAdd(a1, v, c14);
            v = Avx.LoadVector256(xp + i5);
            c05 = Fma.MultiplyAdd(a0, v, c05); c15 = Fma.MultiplyAdd(a1, v, c15);
            w += Channels;
        }
        Put(y, vout, lanes, c00, c01, c02, c03, c04, c05);
        if (channels > 1) Put(y + plane, vout, lanes, c10, c11, c12, c13, c14, c15);
    }

    // The 6 vectors of one channel to y + vout[i], lanes[i] lanes each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* y, int* vout, int* lanes, Vector256<float> v0, Vector256<float> v1,
        Vector256<float> v2, Vector256<float> v3, Vector256<float> v4, Vector256<float> v5)
    {
        Store(y + vout[0], lanes[0], v0); Store(y + vout[1], lanes[1], v1);
        Store(y + vout[2], lanes[2], v2); Store(y + vout[3], lanes[3], v3);
        Store(y + vout[4], lanes[4], v4); Store(y + vout[5], lanes[5], v5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, int n, Vector256<float> v)
    {
        if (n == Vl)
        {
            Avx.Store(p, v);
            return;
        }
        // The first n lanes (none for a padding vector): 4, then 2, then 1.
        var h = v.GetLower();
        if ((n & 4) != 0)
        {
            Sse.Store(p, h);
            h = v.GetUpper();
            p += 4;
        }
        if ((n & 2) != 0)
        {
            Sse.StoreLow(p, h);
            h = Sse.MoveHighToLow(h, h);
            p += 2;
        }
        if ((n & 1) != 0) Sse.StoreScalar(p, h);
    }
}
