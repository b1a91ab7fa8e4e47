using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// One layer and one direction of a recurrent network over a whole sequence, as a single autograd operation:
/// the forward pass loops over time keeping what backward needs, backward (backpropagation through time) loops
/// over time in reverse. Input projections of all steps are one GEMM; the recurrent projection is one GEMM per step.
/// </summary>
/// <remarks>
/// Layout. Rows of the input x hold F features and rows of the result hold H; row (n, t) of a batch-first tensor
/// [N, T, ·] is n·T + t, of a time-major tensor [T, N, ·] it is t·N + n. The result is "packed": the hidden states of
/// every step, and for the LSTM one extra time slot (index T) holding the final cell state c_T, so that the single
/// autograd node also carries c_T's gradient. Callers slice it with <see cref="Tensor.Narrow"/>.
/// <para>Gate maths (G gate blocks of H units; pre-activations a = W_ih·x + b_ih + W_hh·h' + b_hh):</para>
/// <list type="bullet">
/// <item>RNN: h = φ(a), φ = tanh or relu.</item>
/// <item>LSTM (i, f, g, o): i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c = f⊙c' + i⊙g; h = o⊙tanh(c).</item>
/// <item>GRU (r, z, n): r = σ(a_r), z = σ(a_z), n = tanh(W_in·x + b_in + r⊙(W_hn·h' + b_hn)); h = (1 − z)⊙n + z⊙h'.</item>
/// </list>
/// </remarks>
internal static partial class RecurrentKernel
{
    /// <summary>Number of gate blocks of the cell.</summary>
    public static int Gates(CellKind kind) => kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>
    /// Runs one layer/direction. <paramref name="x"/> is [N,T,F] (batch-first) or [T,N,F]; weights [G·H, F] and [G·H, H];
    /// biases [G·H]; <paramref name="h0"/> and <paramref name="c0"/> (LSTM only) are [N,H]. Returns the packed result
    /// [N, T(+1), H] or [T(+1), N, H] (see the class remarks).
    /// </summary>
    public static Tensor Run(CellKind kind, Tensor x, bool batchFirst, bool reverse,
        Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor h0, Tensor? c0)
    {
        return DTypeDispatch.Run<RunFunc, Tensor>(x.DType, new(kind, x, batchFirst, reverse, wih, whh, bih, bhh, h0, c0));
    }

    private readonly struct RunFunc(CellKind kind, Tensor x, bool batchFirst, bool reverse,
        Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor h0, Tensor? c0) : IDTypeFunc<Tensor>
    {
        public Tensor Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => new LayerPass<T>(kind, x, batchFirst, reverse, wih, whh, bih, bhh, h0, c0).Run();
    }

    private sealed partial class LayerPass<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly CellKind _kind;
        private readonly Tensor _x, _wih, _whh, _bih, _bhh, _h0;
        private readonly Tensor? _c0;
        private readonly bool _reverse;
        private readonly int _n, _t, _f, _h, _gh, _tOut;
        private readonly int _xsN, _xsT, _osN, _osT; // row strides (in rows) of batch and time, input and result
        private readonly Tensor _packed;
        // Scratch buffers are tensors allocated uninitialized (every element is written before it is read), so that inside
        // a training step's TensorArena scope their storage is recycled by the next step instead of collected.
        private readonly Tensor _act;     // [rows in input layout, G·H]: pre-activations, then the activated gates
        private readonly Tensor? _cells;  // LSTM: c_t, [T, N, H] indexed by time
        private readonly Tensor? _hn;     // GRU: W_hn·h' + b_hn, [T, N, H] indexed by time
        private Tensor? _hPrev;           // when recording: h' of every step, [steps, N, H] in step order

        public LayerPass(CellKind kind, Tensor x, bool batchFirst, bool reverse,
            Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor h0, Tensor? c0)
        {
            _kind = kind; _x = x; _wih = wih; _whh = whh; _bih = bih; _bhh = bhh; _h0 = h0; _c0 = c0; _reverse = reverse;
            _n = batchFirst ? x.Shape[0] : x.Shape[1];
            _t = batchFirst ? x.Shape[1] : x.Shape[0];
            _f = x.Shape[2];
            _h = whh.Shape[1];
            _gh = Gates(kind) * _h;
            _tOut = kind == CellKind.Lstm ? _t + 1 : _t;
            if (batchFirst) { _xsN = _t; _xsT = 1; _osN = _tOut; _osT = 1; }
            else { _xsN = 1; _xsT = _n; _osN = 1; _osT = _n; }
            foreach (var p in new[] { wih, whh, bih, bhh, h0 })
                x.CheckSameDType(p, "recurrent layer");
            if (c0 is not null) x.CheckSameDType(c0, "recurrent layer");
            _packed = Tensor.Zeros(batchFirst ? [_n, _tOut, _h] : [_tOut, _n, _h], x.DType);
            _act = Scratch(_n * _t * _gh);
            if (kind == CellKind.Lstm) _cells = Scratch(_t * _n * _h);
            if (kind == CellKind.Gru) _hn = Scratch(_t * _n * _h);
        }

        private Tensor Scratch(int length) => Tensor.Uninitialized(Shape.Wrap([length]), _x.DType);

        private int TimeOf(int step) => _reverse ? _t - 1 - step : step;

        private int XRow(int n, int t) => n * _xsN + t * _xsT;

        private int ORow(int n, int t) => n * _osN + t * _osT;

        public Tensor Run()
        {
            bool record = GradMode.IsEnabled && (_x.RequiresGrad || _wih.RequiresGrad || _whh.RequiresGrad || _bih.RequiresGrad
                || _bhh.RequiresGrad || _h0.RequiresGrad || (_c0?.RequiresGrad ?? false));
            Forward(record);
            if (record)
            {
                Tensor[] inputs = _c0 is null ? [_x, _wih, _whh, _bih, _bhh, _h0] : [_x, _wih, _whh, _bih, _bhh, _h0, _c0];
                string op = _kind switch { CellKind.Lstm => "lstm_layer", CellKind.Gru => "gru_layer", CellKind.RnnRelu => "rnn_relu_layer", _ => "rnn_tanh_layer" };
                _packed.Record(op, inputs, Backward);
            }
            return _packed;
        }

        private void Forward(bool record)
        {
            int n = _n, tLen = _t, h = _h, gh = _gh;
            var x = _x.AsSpan<T>();
            var wih = _wih.AsSpan<T>();
            var whh = _whh.AsSpan<T>();
            var bih = _bih.AsSpan<T>();
            var bhh = _bhh.AsSpan<T>();
            var h0 = _h0.AsSpan<T>();
            var output = _packed.AsSpan<T>();
            var act = _act.AsSpan<T>();
            _zeros = _kind == CellKind.Lstm && _c0 is null ? new T[h] : null;

            // All input projections at once: act = x·W_ihᵀ + b_ih (+ b_hh, except for the GRU whose b_hn sits inside r⊙(·)).
            var bias = new T[gh];
            for (int j = 0; j < gh; j++) bias[j] = _kind == CellKind.Gru ? bih[j] : bih[j] + bhh[j];
            for (int r = 0; r < n * tLen; r++) bias.CopyTo(act.Slice(r * gh, gh));
            Gemm.Multiply(false, true, n * tLen, gh, _f, T.One, x, _f, wih, _f, T.One, act, gh);

            if (record) _hPrev = Scratch(tLen * n * h);
            var hPrevAll = _hPrev is null ? default : _hPrev.AsSpan<T>();
            _hpStep = Scratch(n * gh);
            var hp = _hpStep.AsSpan<T>(); // W_hh·h' (+ b_hh for the GRU) of the current step
            var whhT = PackWeights(true, gh, h, whh); // W_hhᵀ for every step, when the batch is large enough
            for (int s = 0; s < tLen; s++)
            {
                int t = TimeOf(s), tp = s == 0 ? -1 : TimeOf(s - 1);
                ReadOnlySpan<T> hPrev = s == 0 ? h0 : output.Slice(ORow(0, tp) * h);
                int ldh = s == 0 ? h : _osN * h;
                if (_hPrev is not null)
                    for (int b = 0; b < n; b++) hPrev.Slice(b * ldh, h).CopyTo(hPrevAll.Slice((s * n + b) * h, h));
                if (_kind == CellKind.Gru)
                    for (int b = 0; b < n; b++) bhh.CopyTo(hp.Slice(b * gh, gh));
                T beta = _kind == CellKind.Gru ? T.One : T.Zero;
                if (whhT is not null) Gemm.MultiplyPacked(false, n, T.One, hPrev, ldh, whhT, beta, hp, gh);
                else Gemm.Multiply(false, true, n, gh, h, T.One, hPrev, ldh, whh, h, beta, hp, gh);

                _step = s;
                RunRows(forward: true);
            }
            if (_kind == CellKind.Lstm)
            {
                int tLast = TimeOf(tLen - 1);
                var cells = _cells!.AsSpan<T>();
                for (int b = 0; b < n; b++)
                    cells.Slice((tLast * n + b) * h, h).CopyTo(output.Slice(ORow(b, tLen) * h, h));
            }
        }

        private void Backward(Tensor gradient)
        {
            int n = _n, tLen = _t, h = _h, gh = _gh;
            ReadOnlySpan<T> g = gradient.AsSpan<T>();
            ReadOnlySpan<T> whh = _whh.AsSpan<T>();
            _zeros = _kind == CellKind.Lstm && _c0 is null ? new T[h] : null;
            _gradient = gradient;
            var dxpT = _dxp = Scratch(n * tLen * gh);
            var dhpT = _dhp = Scratch(tLen * n * gh);
            var dxp = dxpT.AsSpan<T>();     // ∂L/∂(input projection), input layout
            var dhp = dhpT.AsSpan<T>();     // ∂L/∂(W_hh·h' + b_hh), step order
            _dh = new T[n * h];
            var carry = _carry = new T[n * h]; // ∂L/∂h' flowing to the previous step
            var dc = _dc = new T[n * h];       // LSTM: ∂L/∂c' flowing to the previous step
            if (_kind == CellKind.Lstm)
            {
                for (int b = 0; b < n; b++) g.Slice(ORow(b, tLen) * h, h).CopyTo(dc.AsSpan(b * h, h));
            }

            var whhPacked = PackWeights(false, h, gh, whh);
            for (int s = tLen - 1; s >= 0; s--)
            {
                _step = s;
                RunRows(forward: false);
                // ∂L/∂h' = ∂L/∂(W_hh·h')·W_hh (+ the GRU's direct path already in carry).
                T beta = _kind == CellKind.Gru ? T.One : T.Zero;
                var dhpStep = dhp.Slice(s * n * gh, n * gh);
                if (whhPacked is not null) Gemm.MultiplyPacked(false, n, T.One, dhpStep, gh, whhPacked, beta, carry, h);
                else Gemm.Multiply(false, false, n, h, gh, T.One, dhpStep, gh, whh, h, beta, carry, h);
            }

            int rows = n * tLen;
            if (_x.RequiresGrad)
            {
                var dX = Tensor.Zeros(_x.Shape.ToArray(), _x.DType);
                Gemm.Multiply(false, false, rows, _f, gh, T.One, dxp, gh, _wih.AsSpan<T>(), _f, T.Zero, dX.AsSpan<T>(), _f);
                _x.AccumulateGrad(dX);
            }
            if (_wih.RequiresGrad)
            {
                var dW = Tensor.Zeros([gh, _f], _x.DType);
                Gemm.Multiply(true, false, gh, _f, rows, T.One, dxp, gh, _x.AsSpan<T>(), _f, T.Zero, dW.AsSpan<T>(), _f);
                _wih.AccumulateGrad(dW);
            }
            if (_whh.RequiresGrad)
            {
                var dW = Tensor.Zeros([gh, h], _x.DType);
                Gemm.Multiply(true, false, gh, h, rows, T.One, dhp, gh, _hPrev!.AsSpan<T>(), h, T.Zero, dW.AsSpan<T>(), h);
                _whh.AccumulateGrad(dW);
            }
            if (_bih.RequiresGrad) _bih.AccumulateGrad(ColumnSums(dxp, rows, gh));
            if (_bhh.RequiresGrad) _bhh.AccumulateGrad(ColumnSums(dhp, rows, gh));
            TensorArena.ReleaseEarly(dxpT);
            TensorArena.ReleaseEarly(dhpT);
            _gradient = _dxp = _dhp = null; // the graph keeps this pass alive: it need not keep these
            _dh = null;
            if (_h0.RequiresGrad) _h0.AccumulateGrad(FromSpan(carry, n, h));
            if (_c0 is not null && _c0.RequiresGrad) _c0.AccumulateGrad(FromSpan(dc, n, h));
        }

        private Tensor FromSpan(T[] values, params int[] shape)
        {
            var t = Tensor.Zeros(shape, _x.DType);
            values.AsSpan(0, t.Numel).CopyTo(t.AsSpan<T>());
            return t;
        }

        // W_hh (k × n = gh × h) or W_hhᵀ (h × gh, transposed) packed once for all the steps' products, or null when the
        // batch is too small for the packed path (a handful of rows runs unpacked). One per thread, used by one loop at a time.
        private GemmPackedB<T>? PackWeights(bool transposed, int cols, int depth, ReadOnlySpan<T> whh)
        {
            if (_n < PackedBatch || _t < 2) return null;
            var packed = t_whhPacked ??= new GemmPackedB<T>();
            packed.Pack(transposed, cols, depth, whh, transposed ? depth : cols);
            return packed;
        }

        private const int PackedBatch = 4;
        [ThreadStatic] private static GemmPackedB<T>? t_whhPacked;

        // The bias gradient: the gate gradients summed over rows (the SIMD kernel Linear's bias uses, same order).
        private Tensor ColumnSums(ReadOnlySpan<T> m, int rows, int cols)
        {
            var sums = Tensor.Zeros([cols], _x.DType);
            Elementwise.SumColumns(m, sums.AsSpan<T>(), rows, cols);
            return sums;
        }

        // The SIMD cell runs on Vector<float>: 8 lanes with AVX2 (AVX-512 machines included, .NET's Vector<T> stays 256
        // bits there), 4 with SSE or ARM64's NEON, each through that width's σ and tanh. Any other width: the scalar loop.
        private static bool SimdCell => Vector.IsHardwareAccelerated && (Vector<float>.Count == 8 || Vector<float>.Count == 4);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> SigmoidLanes(Vector<float> x) => Vector<float>.Count == 8
            ? VectorMath.Sigmoid(x.AsVector256()).AsVector()
            : VectorMath.Sigmoid(x.AsVector128()).AsVector();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> TanhLanes(Vector<float> x) => Vector<float>.Count == 8
            ? VectorMath.Tanh(x.AsVector256()).AsVector()
            : VectorMath.Tanh(x.AsVector128()).AsVector();

        // The LSTM cell of one row on a vector of units at a time (float, SIMD σ and tanh); returns the units done (a
        // multiple of the vector width), the rest are left to the scalar loop. Same formulas as the scalar loop.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int LstmGatesSimd(Span<T> aT, ReadOnlySpan<T> rT, ReadOnlySpan<T> cPrevT, Span<T> cNowT, Span<T> yT, int h)
        {
            if (!SimdCell) return 0;
            var a = MemoryMarshal.Cast<T, float>(aT);
            var r = MemoryMarshal.Cast<T, float>(rT);
            var cPrev = MemoryMarshal.Cast<T, float>(cPrevT);
            var cNow = MemoryMarshal.Cast<T, float>(cNowT);
            var y = MemoryMarshal.Cast<T, float>(yT);
            int w = Vector<float>.Count, units = h / w * w;
            // The gates in place first, one function per loop (σ on i, f and o, tanh on g), so that each loop's exp
            // is inlined: with all five functions in one loop the JIT ran out of inlining budget and called them.
            GateSimd(a, r, 0, units, tanh: false);
            GateSimd(a, r, h, units, tanh: false);
            GateSimd(a, r, 2 * h, units, tanh: true);
            GateSimd(a, r, 3 * h, units, tanh: false);
            for (int j = 0; j < units; j += w)
            {
                var i = new Vector<float>(a.Slice(j));
                var f = new Vector<float>(a.Slice(h + j));
                var g = new Vector<float>(a.Slice(2 * h + j));
                var o = new Vector<float>(a.Slice(3 * h + j));
                var c = f * new Vector<float>(cPrev.Slice(j)) + i * g;
                c.CopyTo(cNow.Slice(j));
                (o * TanhLanes(c)).CopyTo(y.Slice(j));
            }
            return units;
        }

        // a[start + j] = σ or tanh of a[start + j] + r[start + j] for j < units (a multiple of the vector width).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GateSimd(Span<float> a, ReadOnlySpan<float> r, int start, int units, bool tanh)
        {
            var ga = a.Slice(start, units);
            var gr = r.Slice(start, units);
            int w = Vector<float>.Count;
            if (tanh)
                for (int j = 0; j < units; j += w)
                    TanhLanes(new Vector<float>(ga.Slice(j)) + new Vector<float>(gr.Slice(j))).CopyTo(ga.Slice(j));
            else
                for (int j = 0; j < units; j += w)
                    SigmoidLanes(new Vector<float>(ga.Slice(j)) + new Vector<float>(gr.Slice(j))).CopyTo(ga.Slice(j));
        }

        // The LSTM cell's backward of one row on a vector of units at a time (float); returns the units done, as above.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int LstmGatesBackwardSimd(ReadOnlySpan<T> aT, ReadOnlySpan<T> cT, ReadOnlySpan<T> cPrevT, ReadOnlySpan<T> dT,
            Span<T> dcT, Span<T> dxT, Span<T> drT, int h)
        {
            if (!SimdCell) return 0;
            var a = MemoryMarshal.Cast<T, float>(aT);
            var cs = MemoryMarshal.Cast<T, float>(cT);
            var cPrev = MemoryMarshal.Cast<T, float>(cPrevT);
            var dv = MemoryMarshal.Cast<T, float>(dT);
            var dc = MemoryMarshal.Cast<T, float>(dcT);
            var dx = MemoryMarshal.Cast<T, float>(dxT);
            var dr = MemoryMarshal.Cast<T, float>(drT);
            var one = Vector<float>.One;
            int w = Vector<float>.Count, j = 0;
            for (; j + w <= h; j += w)
            {
                var i = new Vector<float>(a.Slice(j));
                var f = new Vector<float>(a.Slice(h + j));
                var gg = new Vector<float>(a.Slice(2 * h + j));
                var o = new Vector<float>(a.Slice(3 * h + j));
                var d = new Vector<float>(dv.Slice(j));
                var tc = TanhLanes(new Vector<float>(cs.Slice(j)));
                var dcj = new Vector<float>(dc.Slice(j)) + d * o * (one - tc * tc);
                var di = dcj * gg;
                var df = dcj * new Vector<float>(cPrev.Slice(j));
                var dg = dcj * i;
                var dO = d * tc;
                (dcj * f).CopyTo(dc.Slice(j));
                var vi = di * i * (one - i);
                var vf = df * f * (one - f);
                var vg = dg * (one - gg * gg);
                var vo = dO * o * (one - o);
                vi.CopyTo(dx.Slice(j)); vi.CopyTo(dr.Slice(j));
                vf.CopyTo(dx.Slice(h + j)); vf.CopyTo(dr.Slice(h + j));
                vg.CopyTo(dx.Slice(2 * h + j)); vg.CopyTo(dr.Slice(2 * h + j));
                vo.CopyTo(dx.Slice(3 * h + j)); vo.CopyTo(dr.Slice(3 * h + j));
            }
            return j;
        }

        // σ and tanh through one exp each: Math(F).Tanh costs several times an exp, and the gates evaluate five of these
        // per unit and step. Both forms saturate cleanly (exp overflowing to ∞ gives exactly 0, 1 or −1, never NaN);
        // tanh's absolute error stays at the unit roundoff, relative accuracy only suffers for |v| near 0.
        private static T Sigmoid(T v) => T.One / (T.One + T.Exp(-v));

        private static T Tanh(T v) => T.One - (T.One + T.One) / (T.Exp(v + v) + T.One);
    }
}
