namespace Nabla.Tensors;

/// <summary>Which form of GELU to compute (PyTorch's <c>approximate</c> argument of <c>gelu</c>).</summary>
public enum GELUApproximation
{
    /// <summary>The exact form x·Φ(x), Φ the standard normal CDF (PyTorch's <c>approximate='none'</c>, the default).</summary>
    None,

    /// <summary>The tanh form ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))) (PyTorch's <c>approximate='tanh'</c>, GPT-2's).</summary>
    Tanh,
}
