using System.Globalization;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// The common machinery of <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/>: a stack of recurrent layers,
/// optionally bidirectional, with dropout between layers, run by backpropagation through time over the whole sequence.
/// </summary>
/// <remarks>
/// <para><b>Parameters</b> (PyTorch's names and shapes, G gate blocks of H units, X the layer's input size: the input
/// size for layer 0, H·dirs above): <c>weight_ih_l{k}</c> [G·H, X], <c>weight_hh_l{k}</c> [G·H, H], <c>bias_ih_l{k}</c> [G·H],
/// <c>bias_hh_l{k}</c> [G·H], and the same with the suffix <c>_reverse</c> for the reverse direction. Each layer and
/// direction therefore has G·(H·(H + X) + 2H) parameters. Two biases are redundant for RNN and LSTM (only their sum
/// matters) but are kept so that PyTorch checkpoints map one to one; for the GRU they are not redundant, because
/// b_hn sits inside r⊙(W_hn·h + b_hn).</para>
/// <para><b>Initialization</b>: every weight and bias uniform in ±1/√H, as PyTorch does (see <see cref="LSTM"/> for the
/// forget-gate bias).</para>
/// <para><b>Speed</b>: each layer and direction is one autograd operation. Its forward pass computes the input
/// projections of all T steps with one GEMM ([N·T, X] × [X, G·H]) and the recurrent projection with one GEMM per step
/// ([N, H] × [H, G·H]); backward runs the steps in reverse and needs two GEMMs for the input side and one for
/// ∂W_hh over all steps, plus one small GEMM per step.</para>
/// </remarks>
public abstract class RecurrentLayer : Module
{
    private readonly CellKind _kind;
    private readonly DirectionWeights[] _weights; // layer-major: l0, l0_reverse, l1, …
    private readonly Dropout? _dropout;

    private protected RecurrentLayer(CellKind kind, int inputSize, int hiddenSize, int numLayers, bool batchFirst,
        bool bidirectional, double dropout, Generator? generator)
    {
        string name = TypeName(kind);
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ValueException($"{name}: inputSize and hiddenSize must be positive, got inputSize={inputSize}, hiddenSize={hiddenSize}");
        if (numLayers <= 0)
            throw new ValueException($"{name}: numLayers must be at least 1, got {numLayers}");
        if (!(dropout >= 0 && dropout < 1))
            throw new ValueException($"{name}: dropout must be in [0, 1), got {dropout}");
        _kind = kind;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        BatchFirst = batchFirst;
        Bidirectional = bidirectional;
        Dropout = dropout;
        int dirs = bidirectional ? 2 : 1, gh = RecurrentKernel.Gates(kind) * hiddenSize;
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        _weights = new DirectionWeights[numLayers * dirs];
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < dirs; d++)
            {
                int x = l == 0 ? inputSize : hiddenSize * dirs;
                _weights[l * dirs + d] = new DirectionWeights(
                    $"_l{l}{(d == 1 ? "_reverse" : "")}",
                    new Parameter(Tensor.Uniform([gh, x], -bound, bound, generator)),
                    new Parameter(Tensor.Uniform([gh, hiddenSize], -bound, bound, generator)),
                    new Parameter(Tensor.Uniform([gh], -bound, bound, generator), isBias: true),
                    new Parameter(Tensor.Uniform([gh], -bound, bound, generator), isBias: true));
            }
        if (dropout > 0 && numLayers > 1) _dropout = new Dropout(dropout, generator);
    }

    /// <summary>Number of features per step of the input.</summary>
    public int InputSize { get; }

    /// <summary>Number of hidden units H per layer and direction.</summary>
    public int HiddenSize { get; }

    /// <summary>Number of stacked layers; layer k &gt; 0 reads the outputs of layer k − 1.</summary>
    public int NumLayers { get; }

    /// <summary>True (the default) when inputs and outputs are [N, T, F]; false for time-major [T, N, F].</summary>
    public bool BatchFirst { get; }

    /// <summary>True when every layer also reads the sequence backwards; outputs then have 2·H features.</summary>
    public bool Bidirectional { get; }

    /// <summary>1, or 2 when bidirectional.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>The probability with which dropout zeroes the outputs of every layer except the last, in training mode only.</summary>
    public double Dropout { get; }

    /// <summary>Number of gate blocks G: 1 for RNN, 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n).</summary>
    public int GateCount => RecurrentKernel.Gates(_kind);

    /// <summary>The input-to-hidden weights W_ih [G·H, X] of <paramref name="layer"/> (the reverse direction's when <paramref name="reverse"/>).</summary>
    public Parameter WeightIh(int layer, bool reverse = false) => Direction(layer, reverse).WeightIh;

    /// <summary>The hidden-to-hidden weights W_hh [G·H, H] of <paramref name="layer"/>.</summary>
    public Parameter WeightHh(int layer, bool reverse = false) => Direction(layer, reverse).WeightHh;

    /// <summary>The input-side bias b_ih [G·H] of <paramref name="layer"/>.</summary>
    public Parameter BiasIh(int layer, bool reverse = false) => Direction(layer, reverse).BiasIh;

    /// <summary>The hidden-side bias b_hh [G·H] of <paramref name="layer"/>.</summary>
    public Parameter BiasHh(int layer, bool reverse = false) => Direction(layer, reverse).BiasHh;

    /// <summary>
    /// Runs the network over <paramref name="input"/> ([N, T, F] or, when not <see cref="BatchFirst"/>, [T, N, F]) from
    /// zero initial states and returns the last layer's outputs at every step, [N, T, H·dirs] (or [T, N, H·dirs]).
    /// </summary>
    public override Tensor Forward(Tensor input) => RunCore(input, null, null, wantStates: false).Output;

    /// <summary>N·T·Σ over layers and directions of G·H·(X + H) multiply-accumulates (the input and recurrent projections).</summary>
    public override long MultiplyAccumulates(Shape input, Shape output)
    {
        if (input.Rank != 3) return 0;
        long steps = (long)input[0] * input[1], per = 0;
        int gh = GateCount * HiddenSize;
        for (int l = 0; l < NumLayers; l++)
        {
            int x = l == 0 ? InputSize : HiddenSize * NumDirections;
            per += (long)NumDirections * gh * (x + HiddenSize);
        }
        return steps * per;
    }

    /// <inheritdoc/>
    public override string Describe()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{TypeName(_kind)}({InputSize} → {HiddenSize}");
        if (this is RNN) sb.Append(_kind == CellKind.RnnRelu ? ", relu" : ", tanh");
        if (NumLayers > 1) sb.Append(CultureInfo.InvariantCulture, $", layers={NumLayers}");
        if (Bidirectional) sb.Append(", bidirectional");
        if (Dropout > 0 && NumLayers > 1) sb.Append(CultureInfo.InvariantCulture, $", dropout={Dropout}");
        if (!BatchFirst) sb.Append(", time-major");
        return sb.Append(')').ToString();
    }

    /// <summary>The parameters with PyTorch's names, layer by layer, forward direction before reverse.</summary>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        foreach (var w in _weights)
        {
            yield return ("weight_ih" + w.Suffix, w.WeightIh);
            yield return ("weight_hh" + w.Suffix, w.WeightHh);
            yield return ("bias_ih" + w.Suffix, w.BiasIh);
            yield return ("bias_hh" + w.Suffix, w.BiasHh);
        }
    }

    /// <summary>Runs every layer and direction; returns the output and, when <paramref name="wantStates"/>, the final states.</summary>
    private protected RecurrentResult RunCore(Tensor input, Tensor? h0, Tensor? c0, bool wantStates)
    {
        string name = TypeName(_kind);
        int dirs = NumDirections, ld = NumLayers * dirs, h = HiddenSize;
        if (input.Rank != 3 || input.Shape[2] != InputSize)
            throw new ShapeException($"{Describe()}: expected input {(BatchFirst ? "[N, T, " : "[T, N, ")}{InputSize}], got {input.Shape}");
        int n = BatchFirst ? input.Shape[0] : input.Shape[1];
        int steps = BatchFirst ? input.Shape[1] : input.Shape[0];
        if (n == 0 || steps == 0)
            throw new ShapeException($"{Describe()}: expected a non-empty batch and sequence, got input {input.Shape}");
        var dtype = _weights[0].WeightIh.Data.DType;
        if (input.DType != dtype)
            throw new ValueException($"{name}: the input is {input.DType} but the parameters are {dtype}; convert one (ToDType or module.To)");
        CheckState(h0, "h0", ld, n, dtype);
        CheckState(c0, "c0", ld, n, dtype);

        int timeAxis = BatchFirst ? 1 : 0;
        var zeros = h0 is null || (_kind == CellKind.Lstm && c0 is null) ? Tensor.Zeros([n, h], dtype) : null;
        var finalH = wantStates ? new Tensor[ld] : null;
        var finalC = wantStates && _kind == CellKind.Lstm ? new Tensor[ld] : null;
        var x = input;
        for (int l = 0; l < NumLayers; l++)
        {
            if (l > 0 && _dropout is not null && IsTraining) x = _dropout.Forward(x);
            var outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                var w = _weights[k];
                var hk = h0 is null ? zeros! : h0.Narrow(0, k, 1).Reshape(n, h);
                Tensor? ck = _kind != CellKind.Lstm ? null : c0 is null ? zeros! : c0.Narrow(0, k, 1).Reshape(n, h);
                var packed = RecurrentKernel.Run(_kind, x, BatchFirst, reverse: d == 1, w.WeightIh, w.WeightHh, w.BiasIh, w.BiasHh, hk, ck);
                var o = _kind == CellKind.Lstm ? packed.Narrow(timeAxis, 0, steps) : packed;
                outs[d] = o;
                if (finalH is not null)
                {
                    finalH[k] = o.Narrow(timeAxis, d == 1 ? 0 : steps - 1, 1).Reshape(n, h);
                    if (finalC is not null) finalC[k] = packed.Narrow(timeAxis, steps, 1).Reshape(n, h);
                }
            }
            x = dirs == 1 ? outs[0] : Tensor.Concat(outs, 2);
        }
        return new RecurrentResult(x,
            finalH is null ? x : Tensor.Stack(finalH, 0),
            finalC is null ? null : Tensor.Stack(finalC, 0));
    }

    private void CheckState(Tensor? state, string what, int ld, int n, DType dtype)
    {
        if (state is null) return;
        if (state.Rank != 3 || state.Shape[0] != ld || state.Shape[1] != n || state.Shape[2] != HiddenSize)
            throw new ShapeException($"{Describe()}: expected initial state {what} [{ld}, {n}, {HiddenSize}] (layers·directions, batch, hidden), got {state.Shape}");
        if (state.DType != dtype)
            throw new ValueException($"{TypeName(_kind)}: initial state {what} is {state.DType} but the parameters are {dtype}");
    }

    private DirectionWeights Direction(int layer, bool reverse)
    {
        if (layer < 0 || layer >= NumLayers)
            throw new ValueException($"{TypeName(_kind)}: layer {layer} does not exist (numLayers={NumLayers})");
        if (reverse && !Bidirectional)
            throw new ValueException($"{TypeName(_kind)}: there is no reverse direction (the module is not bidirectional)");
        return _weights[layer * NumDirections + (reverse ? 1 : 0)];
    }

    private static string TypeName(CellKind kind) => kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };

    private sealed record DirectionWeights(string Suffix, Parameter WeightIh, Parameter WeightHh, Parameter BiasIh, Parameter BiasHh);
}
