using Nabla.NN.Recurrent;
using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// RNN, LSTM and GRU in ONNX's layouts and gate orders (LSTM i, o, f, c; GRU z, r, h with either linear_before_reset):
/// forward, reverse and bidirectional, initial states, LSTM peepholes, clip, layout 0 and 1, the Y / Y_h / Y_c outputs.
/// Where a direction is exactly one of Nabla's cells it runs on Nabla's fused recurrent kernel; otherwise (peepholes, clip,
/// other activations, GRU without linear_before_reset) the input projection of all steps is one matrix product and each
/// step is composed of differentiable tensor operations.
/// </summary>
internal static class RecurrentOps
{
    enum Cell { Rnn, Lstm, Gru }

    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        const string notes = "forward/reverse/bidirectional; activations Sigmoid/Tanh/Relu; sequence_lens only when all equal the sequence length";
        ops["RNN"] = new(c => Build(c, Cell.Rnn), [1, 2, 3], [], notes);
        ops["LSTM"] = new(c => Build(c, Cell.Lstm), [1, 2, 3, 7], [], notes + "; no input_forget");
        ops["GRU"] = new(c => Build(c, Cell.Gru), [1, 2, 3], [], notes);
    }

    static OpPlan Build(NodeContext c, Cell cell)
    {
        var type = c.RequireFloat(0, 1, 2, 3, 5, 6, 7);
        c.RequireTypes(4, DataType.Int32, DataType.Int64);
        string direction = c.String("direction", "forward");
        if (direction is not ("forward" or "reverse" or "bidirectional")) throw c.Invalid($"direction '{direction}'");
        int dirs = direction == "bidirectional" ? 2 : 1;
        long hidden = c.Int("hidden_size", 0);
        if (c.Has("activation_alpha") || c.Has("activation_beta")) throw c.Unsupported("activation_alpha/activation_beta");
        string[] defaults = cell switch { Cell.Lstm => ["Sigmoid", "Tanh", "Tanh"], Cell.Gru => ["Sigmoid", "Tanh"], _ => ["Tanh"] };
        string[] names = c.Strings("activations") ?? [.. defaults, .. (dirs == 2 ? defaults : [])];
        if (names.Length != defaults.Length * dirs) throw c.Invalid($"{names.Length} activations; expected {defaults.Length * dirs}");
        var acts = names.Select(n => Activation(n, c)).ToArray();
        double clip = c.Has("clip") ? c.Float("clip", 0) : double.PositiveInfinity;
        bool lbr = cell == Cell.Gru && c.Int("linear_before_reset", 0) != 0;
        if (cell == Cell.Lstm && c.Int("input_forget", 0) != 0) throw c.Unsupported("input_forget 1");
        bool batchFirst = c.Opset >= 14 && c.Int("layout", 0) != 0;
        if (c.Constants.Length > 4 && c.Constants[4] is { } lens && lens.I.Distinct().Count() > 1)
            throw c.Unsupported("sequence_lens that differ between batch entries");
        int gates = cell switch { Cell.Lstm => 4, Cell.Gru => 3, _ => 1 };
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                if (batchFirst) x = x.Transpose(0, 1);
                int steps = x.Shape[0], batch = x.Shape[1];
                var w = i[1]!.F;
                int h = hidden > 0 ? (int)hidden : w.Shape[1] / gates;
                if (i.Length > 4 && i[4] is { } sl && sl.I.Any(v => v != steps))
                    throw new OnnxUnsupportedException($"{c.Where}: sequence_lens [{string.Join(", ", sl.I)}] other than the sequence length {steps} is not supported.");
                var ys = new Tensor[dirs];
                var hs = new Tensor[dirs];
                var cs = new Tensor[dirs];
                for (int d = 0; d < dirs; d++)
                {
                    var dirNames = names.Skip(d * defaults.Length).Take(defaults.Length).ToArray();
                    var state = new Direction(cell, h, clip, lbr, acts.Skip(d * defaults.Length).Take(defaults.Length).ToArray(),
                        KernelKind(cell, dirNames, clip, lbr))
                    {
                        W = w.Narrow(0, d, 1).Squeeze(0),
                        R = i[2]!.F.Narrow(0, d, 1).Squeeze(0),
                        B = i.Length > 3 ? i[3]?.F.Narrow(0, d, 1).Squeeze(0) : null,
                        H = i.Length > 5 && i[5] is { } h0 ? h0.F.Narrow(batchFirst ? 1 : 0, d, 1).Squeeze(batchFirst ? 1 : 0) : Tensor.Zeros([batch, h], x.DType),
                        C = i.Length > 6 && i[6] is { } c0 ? c0.F.Narrow(batchFirst ? 1 : 0, d, 1).Squeeze(batchFirst ? 1 : 0) : Tensor.Zeros([batch, h], x.DType),
                        P = i.Length > 7 ? i[7]?.F.Narrow(0, d, 1).Squeeze(0) : null,
                    };
                    bool reverse = direction == "reverse" || d == 1;
                    (ys[d], hs[d], cs[d]) = state.Run(x, reverse);
                }
                var y = Tensor.Stack(ys, 1);     // [T, dirs, N, H]
                var yh = Tensor.Stack(hs, 0);    // [dirs, N, H]
                var yc = Tensor.Stack(cs, 0);
                if (batchFirst)
                {
                    y = y.Permute(2, 0, 1, 3);
                    yh = yh.Transpose(0, 1);
                    yc = yc.Transpose(0, 1);
                }
                return [OnnxValue.Of(y), OnnxValue.Of(yh), cell == Cell.Lstm ? OnnxValue.Of(yc) : null];
            },
            OutputTypes = OpHelpers.Same(type, cell == Cell.Lstm ? 3 : 2),
            Description = $"{cell.ToString().ToUpperInvariant()}(hidden {hidden}{(dirs == 2 ? ", bidirectional" : direction == "reverse" ? ", reverse" : "")})",
        };
    }

    static Func<Tensor, Tensor> Activation(string name, NodeContext c) => name switch
    {
        "Sigmoid" => t => t.Sigmoid(),
        "Tanh" => t => t.Tanh(),
        "Relu" => t => t.ReLU(),
        _ => throw c.Unsupported($"activation '{name}' (supported: Sigmoid, Tanh, Relu)"),
    };

    /// <summary>
    /// The cell of Nabla's fused recurrent kernel that computes exactly this direction (the default activations, or
    /// Relu for an RNN; no clip; a GRU with linear_before_reset), or null when the step must be composed.
    /// </summary>
    static CellKind? KernelKind(Cell cell, string[] activations, double clip, bool linearBeforeReset)
    {
        if (!double.IsPositiveInfinity(clip)) return null;
        return cell switch
        {
            Cell.Lstm when activations.SequenceEqual(["Sigmoid", "Tanh", "Tanh"]) => CellKind.Lstm,
            Cell.Gru when linearBeforeReset && activations.SequenceEqual(["Sigmoid", "Tanh"]) => CellKind.Gru,
            Cell.Rnn when activations[0] == "Tanh" => CellKind.RnnTanh,
            Cell.Rnn when activations[0] == "Relu" => CellKind.RnnRelu,
            _ => null,
        };
    }

    /// <summary>One direction's weights, state and step.</summary>
    sealed class Direction(Cell cell, int h, double clip, bool linearBeforeReset, Func<Tensor, Tensor>[] act, CellKind? kernel)
    {
        public required Tensor W, R, H, C;
        public Tensor? B, P;

        Tensor Clip(Tensor t) => double.IsPositiveInfinity(clip) ? t : t.Clamp(-clip, clip);

        public (Tensor Y, Tensor H, Tensor C) Run(Tensor x, bool reverse)
        {
            if (kernel is { } kind && P is null) return RunKernel(kind, x, reverse);
            int steps = x.Shape[0], batch = x.Shape[1], g = W.Shape[0];
            // Input projections of every step at once: [T·N, I]·Wᵀ + Wb.
            var xw = x.Reshape(steps * batch, x.Shape[2]).Matmul(W.Transpose(0, 1));
            Tensor? rb = null;
            if (B is not null)
            {
                xw += B.Narrow(0, 0, g);
                rb = B.Narrow(0, g, g);
            }
            xw = xw.Reshape(steps, batch, g);
            var outputs = new Tensor[steps];
            var rt = R.Transpose(0, 1);
            for (int s = 0; s < steps; s++)
            {
                int t = reverse ? steps - 1 - s : s;
                var xt = xw.Narrow(0, t, 1).Squeeze(0);
                Step(xt, rt, rb);
                outputs[t] = H;
            }
            return (Tensor.Stack(outputs, 0), H, C);
        }

        /// <summary>
        /// Runs Nabla's fused kernel (time-major): ONNX's gate blocks (LSTM i, o, f, c; GRU z, r, h) reordered to Nabla's
        /// (LSTM i, f, g, o; GRU r, z, n) by a differentiable row selection.
        /// </summary>
        (Tensor Y, Tensor H, Tensor C) RunKernel(CellKind kind, Tensor x, bool reverse)
        {
            int steps = x.Shape[0], g = W.Shape[0];
            int[] blocks = kind switch { CellKind.Lstm => [0, 2, 3, 1], CellKind.Gru => [1, 0, 2], _ => [0] };
            int[] rows = blocks.SelectMany(b => Enumerable.Range(b * h, h)).ToArray();
            Tensor Order(Tensor t) => kind is CellKind.Lstm or CellKind.Gru ? t.IndexSelect(0, rows) : t;
            var bih = B is null ? Tensor.Zeros([g], x.DType) : Order(B.Narrow(0, 0, g));
            var bhh = B is null ? Tensor.Zeros([g], x.DType) : Order(B.Narrow(0, g, g));
            var packed = RecurrentKernel.Run(kind, x, batchFirst: false, reverse, Order(W), Order(R), bih, bhh, H,
                kind == CellKind.Lstm ? C : null);
            var y = kind == CellKind.Lstm ? packed.Narrow(0, 0, steps) : packed;
            var last = y.Narrow(0, reverse ? 0 : steps - 1, 1).Squeeze(0);
            var cell = kind == CellKind.Lstm ? packed.Narrow(0, steps, 1).Squeeze(0) : C;
            return (y, last, cell);
        }

        void Step(Tensor xt, Tensor rt, Tensor? rb)
        {
            Tensor Gate(Tensor t, int k) => t.Narrow(1, k * h, h);
            switch (cell)
            {
                case Cell.Rnn:
                {
                    var a = xt + H.Matmul(rt);
                    if (rb is not null) a += rb;
                    H = act[0](Clip(a));
                    break;
                }
                case Cell.Lstm:
                {
                    var a = xt + H.Matmul(rt);
                    if (rb is not null) a += rb;
                    Tensor ai = Gate(a, 0), ao = Gate(a, 1), af = Gate(a, 2), ac = Gate(a, 3);
                    if (P is not null)
                    {
                        ai += P.Narrow(0, 0, h) * C;
                        af += P.Narrow(0, 2 * h, h) * C;
                    }
                    var it = act[0](Clip(ai));
                    var ft = act[0](Clip(af));
                    var ct = act[1](Clip(ac));
                    C = ft * C + it * ct;
                    if (P is not null) ao += P.Narrow(0, h, h) * C;
                    var ot = act[0](Clip(ao));
                    H = ot * act[2](C);
                    break;
                }
                default:
                {
                    var rw = rt.Narrow(1, 0, 2 * h);
                    var zr = xt.Narrow(1, 0, 2 * h) + H.Matmul(rw);
                    if (rb is not null) zr += rb.Narrow(0, 0, 2 * h);
                    var z = act[0](Clip(zr.Narrow(1, 0, h)));
                    var r = act[0](Clip(zr.Narrow(1, h, h)));
                    var rh = rt.Narrow(1, 2 * h, h);
                    var rbh = rb?.Narrow(0, 2 * h, h);
                    Tensor hh;
                    if (linearBeforeReset)
                    {
                        var lin = H.Matmul(rh);
                        if (rbh is not null) lin += rbh;
                        hh = Gate(xt, 2) + r * lin;
                    }
                    else
                    {
                        hh = Gate(xt, 2) + (r * H).Matmul(rh);
                        if (rbh is not null) hh += rbh;
                    }
                    var n = act[1](Clip(hh));
                    H = (1.0 - z) * n + z * H;
                    break;
                }
            }
        }
    }
}
