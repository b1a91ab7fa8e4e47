using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// Everything a recurrent module computes over a sequence.
/// </summary>
/// <param name="Output">
/// The last layer's hidden state at every step, [N, T, H·dirs] (batch-first) or [T, N, H·dirs]; with two directions
/// the forward direction's H values come first, then the reverse direction's.
/// </param>
/// <param name="Hidden">
/// The final hidden state of every layer and direction, [layers·dirs, N, H], ordered layer 0 forward, layer 0 reverse,
/// layer 1 forward, … (the forward direction's final state is its state after step T; the reverse direction's is its state
/// after it has read the sequence back to step 1).
/// </param>
/// <param name="Cell">The LSTM's final cell state, [layers·dirs, N, H] in the same order; null for RNN and GRU.</param>
public sealed record RecurrentResult(Tensor Output, Tensor Hidden, Tensor? Cell);
