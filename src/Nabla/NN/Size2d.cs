using System.Globalization;

namespace Nabla.NN;

/// <summary>
/// A height and width pair for kernel sizes, strides, paddings and dilations of 2-D layers. An <c>int</c> converts to
/// a square size and a tuple <c>(h, w)</c> to a rectangular one, so <c>new Conv2d(1, 6, 5, padding: 2)</c> and
/// <c>new Conv2d(1, 6, (3, 5))</c> both read naturally.
/// </summary>
/// <param name="H">The vertical extent.</param>
/// <param name="W">The horizontal extent.</param>
public readonly record struct Size2d(int H, int W)
{
    /// <summary>True when height and width are equal.</summary>
    public bool IsSquare => H == W;

    /// <summary>A square size n×n.</summary>
    public static implicit operator Size2d(int n) => new(n, n);

    /// <summary>A rectangular size from (height, width).</summary>
    public static implicit operator Size2d((int H, int W) size) => new(size.H, size.W);

    /// <summary>The pair as the (height, width) tuple the tensor operations take.</summary>
    public (int H, int W) ToTuple() => (H, W);

    /// <summary>"5x5" or "3x5".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{H}x{W}");

    /// <summary>"2" when square, else "2x1": the short form layer descriptions use for strides and paddings.</summary>
    public string ToShortString() => IsSquare ? H.ToString(CultureInfo.InvariantCulture) : ToString();

    internal bool AllAtLeast(int min) => H >= min && W >= min;
}
