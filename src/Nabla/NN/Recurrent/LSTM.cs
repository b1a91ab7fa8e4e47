using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// A long short-term memory network (the lectures' "feedback + storage"): besides the hidden state h it keeps a cell
/// state c that is changed only by gated addition, so information and gradients can survive many steps.
/// Gate blocks in PyTorch's order i (input), f (forget), g (candidate), o (output):
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o) with a = W_ih·x + b_ih + W_hh·h' + b_hh,
/// c = f⊙c' + i⊙g, h = o⊙tanh(c).
/// </summary>
/// <remarks>
/// Parameters per layer and direction: 4·(H·(H + X) + 2H), counting PyTorch's two biases b_ih and b_hh (only their sum
/// matters; both are kept so that PyTorch weights load one to one). See <see cref="RecurrentLayer"/> for names,
/// layouts and speed.
/// <para><b>Forget-gate bias.</b> Weights and biases start uniform in ±1/√H like PyTorch's, except that by default
/// the forget gate's total bias starts at 1 (b_ih's f block set to 1, b_hh's to 0), following Gers et al. (2000) and
/// Jozefowicz et al. (2015) and Keras's <c>unit_forget_bias</c>: with f ≈ σ(1) ≈ 0.73 instead of ≈ 0.5 the cell
/// forgets less at the start of training, which helps long-range dependencies and costs nothing otherwise. Pass
/// <c>forgetGateBias: null</c> for PyTorch's initialization exactly.</para>
/// </remarks>
public sealed class LSTM : RecurrentLayer
{
    /// <summary>Creates the network.</summary>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="hiddenSize">Hidden units H per layer and direction.</param>
    /// <param name="numLayers">Number of stacked layers.</param>
    /// <param name="batchFirst">True for [N, T, F] inputs and outputs (default), false for [T, N, F].</param>
    /// <param name="bidirectional">Also read the sequence backwards and concatenate both directions' outputs.</param>
    /// <param name="dropout">Dropout probability on every layer's output except the last's, in training mode only.</param>
    /// <param name="forgetGateBias">Initial total forget-gate bias (default 1; see the remarks); null keeps PyTorch's uniform initialization.</param>
    /// <param name="generator">Random source of the initialization and of dropout.</param>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool batchFirst = true, bool bidirectional = false,
        double dropout = 0, double? forgetGateBias = 1.0, Generator? generator = null)
        : base(CellKind.Lstm, inputSize, hiddenSize, numLayers, batchFirst, bidirectional, dropout, generator)
    {
        if (forgetGateBias is not double fb) return;
        for (int l = 0; l < NumLayers; l++)
            for (int d = 0; d < NumDirections; d++)
            {
                var bih = BiasIh(l, d == 1).Data;
                var bhh = BiasHh(l, d == 1).Data;
                for (int j = hiddenSize; j < 2 * hiddenSize; j++)
                {
                    bih.SetFlat(j, fb);
                    bhh.SetFlat(j, 0);
                }
            }
    }

    /// <summary>
    /// Runs the network from initial states <paramref name="h0"/> and <paramref name="c0"/> ([layers·dirs, N, H] each;
    /// zeros when null) and returns the outputs at every step and the final hidden and cell states.
    /// </summary>
    public RecurrentResult Run(Tensor input, Tensor? h0 = null, Tensor? c0 = null) => RunCore(input, h0, c0, wantStates: true);
}
