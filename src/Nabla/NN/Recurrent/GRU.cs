using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// A gated recurrent unit network. Gate blocks in PyTorch's order r (reset), z (update), n (new):
/// r = σ(W_ir·x + b_ir + W_hr·h' + b_hr), z = σ(W_iz·x + b_iz + W_hz·h' + b_hz),
/// n = tanh(W_in·x + b_in + r⊙(W_hn·h' + b_hn)), h = (1 − z)⊙n + z⊙h'.
/// </summary>
/// <remarks>
/// The reset gate multiplies W_hn·h' + b_hn (PyTorch's and cuDNN's convention), so the two biases b_in and b_hn are
/// genuinely different parameters. Parameters per layer and direction: 3·(H·(H + X) + 2H). See <see cref="RecurrentLayer"/>
/// for names, layouts and speed.
/// </remarks>
public sealed class GRU : RecurrentLayer
{
    /// <summary>Creates the network.</summary>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="hiddenSize">Hidden units H per layer and direction.</param>
    /// <param name="numLayers">Number of stacked layers.</param>
    /// <param name="batchFirst">True for [N, T, F] inputs and outputs (default), false for [T, N, F].</param>
    /// <param name="bidirectional">Also read the sequence backwards and concatenate both directions' outputs.</param>
    /// <param name="dropout">Dropout probability on every layer's output except the last's, in training mode only.</param>
    /// <param name="generator">Random source of the initialization and of dropout.</param>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool batchFirst = true, bool bidirectional = false,
        double dropout = 0, Generator? generator = null)
        : base(CellKind.Gru, inputSize, hiddenSize, numLayers, batchFirst, bidirectional, dropout, generator) { }

    /// <summary>
    /// Runs the network from initial hidden state <paramref name="h0"/> ([layers·dirs, N, H]; zeros when null) and
    /// returns the outputs at every step and the final hidden states (<see cref="RecurrentResult.Cell"/> is null).
    /// </summary>
    public RecurrentResult Run(Tensor input, Tensor? h0 = null) => RunCore(input, h0, null, wantStates: true);
}
