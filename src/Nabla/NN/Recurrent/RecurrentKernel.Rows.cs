using System.Numerics;
using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

internal static partial class RecurrentKernel
{
    private sealed partial class LayerPass<T>
    {
        // The cell of one batch row at the current step: rows are independent, so a step's rows are spread over the kernel
        // threads when there is enough of them (each row's arithmetic is the same whoever runs it: bit-identical results).
        private const int ParallelRowWork = 1 << 13; // rows × G·H at least this

        private int _step;                  // the step (in processing order) whose rows RunRows does
        private Tensor? _hpStep;            // forward: W_hh·h' (+ b_hh for the GRU) of the current step, [N, G·H]
        private T[]? _zeros;                // LSTM without c0: the zero cell state of the first step
        private Tensor? _gradient, _dxp, _dhp; // backward: the result's gradient, ∂L/∂(input projection), ∂L/∂(W_hh·h' + b_hh)
        private T[]? _dh, _carry, _dc;      // backward: ∂L/∂h of the step, ∂L/∂h' and (LSTM) ∂L/∂c' flowing to the previous step

        private void RunRows(bool forward)
        {
            if (_n > 1 && (long)_n * _gh >= ParallelRowWork)
            {
                if (forward) Parallelism.For(_n, this, static (p, b) => p.ForwardRow(b));
                else Parallelism.For(_n, this, static (p, b) => p.BackwardRow(b));
                return;
            }
            for (int b = 0; b < _n; b++)
            {
                if (forward) ForwardRow(b);
                else BackwardRow(b);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ForwardRow(int b)
        {
            int n = _n, h = _h, gh = _gh, s = _step, t = TimeOf(s), tp = s == 0 ? -1 : TimeOf(s - 1);
            var output = _packed.AsSpan<T>();
            ReadOnlySpan<T> hPrev = s == 0 ? _h0.AsSpan<T>() : output.Slice(ORow(0, tp) * h);
            int ldh = s == 0 ? h : _osN * h;
            var cells = _cells is null ? default : _cells.AsSpan<T>();
            var hnAll = _hn is null ? default : _hn.AsSpan<T>();
            var zeros = _zeros;
            var a = _act.AsSpan<T>().Slice(XRow(b, t) * gh, gh);
            var r = _hpStep!.AsSpan<T>().Slice(b * gh, gh);
            var y = output.Slice(ORow(b, t) * h, h);
            var hPrevRow = hPrev.Slice(b * ldh, h);
            switch (_kind)
            {
                case CellKind.RnnTanh:
                    for (int j = 0; j < h; j++) y[j] = a[j] = Tanh(a[j] + r[j]);
                    break;
                case CellKind.RnnRelu:
                    for (int j = 0; j < h; j++) y[j] = a[j] = T.Max(a[j] + r[j], T.Zero);
                    break;
                case CellKind.Lstm:
                {
                    var cNow = cells.Slice((t * n + b) * h, h);
                    ReadOnlySpan<T> cPrev = s == 0
                        ? (_c0 is null ? zeros : _c0.AsSpan<T>().Slice(b * h, h))
                        : cells.Slice((tp * n + b) * h, h);
                    int j = typeof(T) == typeof(float) ? LstmGatesSimd(a, r, cPrev, cNow, y, h) : 0;
                    for (; j < h; j++)
                    {
                        T i = Sigmoid(a[j] + r[j]);
                        T f = Sigmoid(a[h + j] + r[h + j]);
                        T g = Tanh(a[2 * h + j] + r[2 * h + j]);
                        T o = Sigmoid(a[3 * h + j] + r[3 * h + j]);
                        T c = f * cPrev[j] + i * g;
                        a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = o;
                        cNow[j] = c;
                        y[j] = o * Tanh(c);
                    }
                    break;
                }
                case CellKind.Gru:
                {
                    var hnRow = hnAll.Slice((t * n + b) * h, h);
                    for (int j = 0; j < h; j++)
                    {
                        T rg = Sigmoid(a[j] + r[j]);
                        T z = Sigmoid(a[h + j] + r[h + j]);
                        T hn = r[2 * h + j];
                        T nn = Tanh(a[2 * h + j] + rg * hn);
                        a[j] = rg; a[h + j] = z; a[2 * h + j] = nn;
                        hnRow[j] = hn;
                        y[j] = (T.One - z) * nn + z * hPrevRow[j];
                    }
                    break;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BackwardRow(int b)
        {
            int n = _n, h = _h, gh = _gh, s = _step, t = TimeOf(s), tp = s == 0 ? -1 : TimeOf(s - 1);
            ReadOnlySpan<T> output = _packed.AsSpan<T>();
            ReadOnlySpan<T> h0 = _h0.AsSpan<T>();
            var cells = _cells is null ? default : _cells.AsSpan<T>();
            var hnAll = _hn is null ? default : _hn.AsSpan<T>();
            var zeros = _zeros;
            var dc = _dc!;
            var carry = _carry!;
            // ∂L/∂h of this step: the result's gradient plus what flows back from the next step.
            var d = _dh.AsSpan(b * h, h);
            var gRow = _gradient!.AsSpan<T>().Slice(ORow(b, t) * h, h);
            for (int j = 0; j < h; j++) d[j] = gRow[j] + carry[b * h + j];
            ReadOnlySpan<T> a = _act.AsSpan<T>().Slice(XRow(b, t) * gh, gh);
            var dx = _dxp!.AsSpan<T>().Slice(XRow(b, t) * gh, gh);
            var dr = _dhp!.AsSpan<T>().Slice((s * n + b) * gh, gh);
            switch (_kind)
            {
                case CellKind.RnnTanh:
                    for (int j = 0; j < h; j++) dx[j] = dr[j] = d[j] * (T.One - a[j] * a[j]);
                    break;
                case CellKind.RnnRelu:
                    // The derivative of relu at 0 is taken as 0 (the unit is off).
                    for (int j = 0; j < h; j++) dx[j] = dr[j] = a[j] > T.Zero ? d[j] : T.Zero;
                    break;
                case CellKind.Lstm:
                {
                    ReadOnlySpan<T> c = cells.Slice((t * n + b) * h, h);
                    ReadOnlySpan<T> cPrev = s == 0
                        ? (_c0 is null ? zeros : _c0.AsSpan<T>().Slice(b * h, h))
                        : cells.Slice((tp * n + b) * h, h);
                    var dcRow = dc.AsSpan(b * h, h);
                    int j = typeof(T) == typeof(float) ? LstmGatesBackwardSimd(a, c, cPrev, d, dcRow, dx, dr, h) : 0;
                    for (; j < h; j++)
                    {
                        T i = a[j], f = a[h + j], gg = a[2 * h + j], o = a[3 * h + j];
                        T tc = Tanh(c[j]);
                        T dcj = dcRow[j] + d[j] * o * (T.One - tc * tc);
                        T di = dcj * gg, df = dcj * cPrev[j], dg = dcj * i, dO = d[j] * tc;
                        dcRow[j] = dcj * f;
                        dx[j] = dr[j] = di * i * (T.One - i);
                        dx[h + j] = dr[h + j] = df * f * (T.One - f);
                        dx[2 * h + j] = dr[2 * h + j] = dg * (T.One - gg * gg);
                        dx[3 * h + j] = dr[3 * h + j] = dO * o * (T.One - o);
                    }
                    break;
                }
                case CellKind.Gru:
                {
                    ReadOnlySpan<T> hn = hnAll.Slice((t * n + b) * h, h);
                    ReadOnlySpan<T> hPrev = s == 0 ? h0.Slice(b * h, h) : output.Slice(ORow(b, tp) * h, h);
                    for (int j = 0; j < h; j++)
                    {
                        T rg = a[j], z = a[h + j], nn = a[2 * h + j];
                        T dn = d[j] * (T.One - z);
                        T dz = d[j] * (hPrev[j] - nn);
                        T dan = dn * (T.One - nn * nn);
                        T dar = dan * hn[j] * rg * (T.One - rg);
                        T daz = dz * z * (T.One - z);
                        dx[j] = dr[j] = dar;
                        dx[h + j] = dr[h + j] = daz;
                        dx[2 * h + j] = dan;
                        dr[2 * h + j] = dan * rg;
                        carry[b * h + j] = d[j] * z; // the direct path h = … + z⊙h'
                    }
                    break;
                }
            }
        }
    }
}
