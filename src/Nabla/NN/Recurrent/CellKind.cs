namespace Nabla.NN.Recurrent;

/// <summary>The recurrence computed by one layer and direction of a recurrent module.</summary>
internal enum CellKind
{
    /// <summary>Elman RNN with tanh: h = tanh(W_ih·x + b_ih + W_hh·h' + b_hh). One gate block.</summary>
    RnnTanh,

    /// <summary>Elman RNN with ReLU: h = relu(W_ih·x + b_ih + W_hh·h' + b_hh). One gate block.</summary>
    RnnRelu,

    /// <summary>LSTM, gate blocks in the order i, f, g, o.</summary>
    Lstm,

    /// <summary>GRU, gate blocks in the order r, z, n.</summary>
    Gru,
}
