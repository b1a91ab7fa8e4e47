namespace Nabla.Data;

/// <summary>How <see cref="CsvReader"/> reads a file. Defaults: separator detected (',', ';' or tab), header auto-detected, no label column.</summary>
public sealed class CsvOptions
{
    /// <summary>The cell separator, or null (default) to detect it from the first line: ',' if it has one, else ';', else tab.</summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// Whether the first row holds column names: true, false, or null to detect it (a first row is a header
    /// when one of its feature cells is not a number). A label column given by name needs a header.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>The label column by name (needs a header), or null.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The label column by 0-based position (−1 for the last column), or null.</summary>
    public int? LabelColumnIndex { get; init; }

    /// <summary>
    /// False (default): the label column holds classes; non-negative integers are used as they are, anything else is
    /// mapped to 0..K−1 in sorted order (see <see cref="CsvData.ClassNames"/>). True: it holds numeric regression targets.
    /// </summary>
    public bool RegressionTarget { get; init; }
}
