using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// An Elman recurrent network (the lectures' "feedback" network): at every step
/// h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), φ = tanh (default) or ReLU, h_0 = 0 unless given.
/// Stacked, optionally bidirectional, with dropout between layers; see <see cref="RecurrentLayer"/> for parameters
/// (one gate block: H·(H + X) + 2H per layer and direction), layouts and speed.
/// </summary>
/// <remarks>
/// Gradients of a plain RNN are products of one Jacobian per step, so over long sequences they vanish (or explode):
/// it struggles to carry information further than a few dozen steps, which is what the <see cref="LSTM"/>'s cell fixes.
/// </remarks>
public sealed class RNN : RecurrentLayer
{
    /// <summary>Creates the network.</summary>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="hiddenSize">Hidden units H per layer and direction.</param>
    /// <param name="numLayers">Number of stacked layers.</param>
    /// <param name="nonlinearity"><see cref="Nonlinearity.Tanh"/> (default) or <see cref="Nonlinearity.ReLU"/>.</param>
    /// <param name="batchFirst">True for [N, T, F] inputs and outputs (default), false for [T, N, F].</param>
    /// <param name="bidirectional">Also read the sequence backwards and concatenate both directions' outputs.</param>
    /// <param name="dropout">Dropout probability on every layer's output except the last's, in training mode only.</param>
    /// <param name="generator">Random source of the initialization and of dropout.</param>
    public RNN(int inputSize, int hiddenSize, int numLayers = 1, Nonlinearity nonlinearity = Nonlinearity.Tanh,
        bool batchFirst = true, bool bidirectional = false, double dropout = 0, Generator? generator = null)
        : base(KindOf(nonlinearity), inputSize, hiddenSize, numLayers, batchFirst, bidirectional, dropout, generator)
        => Nonlinearity = nonlinearity;

    /// <summary>The activation φ: Tanh or ReLU.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>
    /// Runs the network from initial hidden state <paramref name="h0"/> ([layers·dirs, N, H]; zeros when null) and
    /// returns the outputs at every step and the final hidden states (<see cref="RecurrentResult.Cell"/> is null).
    /// </summary>
    public RecurrentResult Run(Tensor input, Tensor? h0 = null) => RunCore(input, h0, null, wantStates: true);

    private static CellKind KindOf(Nonlinearity nonlinearity) => nonlinearity switch
    {
        Nonlinearity.Tanh => CellKind.RnnTanh,
        Nonlinearity.ReLU => CellKind.RnnRelu,
        _ => throw new ValueException($"RNN: the nonlinearity must be Tanh or ReLU, got {nonlinearity}"),
    };
}
