namespace Nabla.Models;

/// <summary>The value a field of a layer description holds, with its allowed range.</summary>
internal enum FieldKind
{
    /// <summary>Any integer (an axis).</summary>
    Int,

    /// <summary>An integer ≥ 1.</summary>
    PositiveInt,

    /// <summary>An integer, or [height, width], all ≥ 1 (kernel sizes, strides, dilations).</summary>
    PositiveSize,

    /// <summary>An integer, or [height, width], all ≥ 0 (paddings).</summary>
    NonNegativeSize,

    /// <summary>Any finite number.</summary>
    Number,

    /// <summary>A finite number &gt; 0.</summary>
    PositiveNumber,

    /// <summary>A number in [0, 1].</summary>
    Probability,

    /// <summary>true or false.</summary>
    Bool,

    /// <summary>A list of layer descriptions (a residual branch, a nested sequence).</summary>
    Layers,

    /// <summary>One of a few strings (<see cref="FieldDef.Choices"/>), e.g. GELU's <c>"approximate"</c>.</summary>
    Choice,
}
