namespace Nabla.Tensors;

/// <summary>The broadcasting binary tensor operations (<see cref="Broadcasting.Apply{T}"/> maps each to its operation struct in Nabla.Kernels).</summary>
internal enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    /// <summary>IEEE maximum (NaN if either is NaN).</summary>
    Max,
    /// <summary>IEEE minimum (NaN if either is NaN).</summary>
    Min,
    Pow,
    /// <summary>1 where a &gt; b, else 0 (likewise the other comparisons; NaN compares false).</summary>
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
}
