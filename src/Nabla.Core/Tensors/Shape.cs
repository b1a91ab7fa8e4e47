using Nabla.Errors;

namespace Nabla.Tensors;

/// <summary>
/// The dimensions of a tensor, outermost first (row-major). Immutable; equality is by value.
/// Prints as <c>[64,784]</c>; a scalar has rank 0 and prints as <c>[]</c>.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions; each must be at least 0.</summary>
    public Shape(params int[] dims)
    {
        foreach (int d in dims)
            if (d < 0) throw new ShapeException($"shape: dimension {d} in [{string.Join(",", dims)}] is negative");
        _dims = (int[])dims.Clone();
    }

    private Shape(int[] dims, bool _) => _dims = dims;

    internal static Shape Wrap(int[] dims) => new(dims, true);

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>The size of dimension <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis, "shape")];

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int Numel
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n *= d;
            if (n > int.MaxValue) throw new ShapeException($"shape {this}: {n} elements exceed the limit of {int.MaxValue}");
            return (int)n;
        }
    }

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Row-major strides in elements: the last axis has stride 1.</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= Dims[i]; }
        return s;
    }

    /// <summary>Turns a possibly negative axis into 0..Rank-1, or throws naming <paramref name="op"/>.</summary>
    public int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new ShapeException($"{op}: axis {axis} is out of range for shape {this} (rank {Rank})");
        return a;
    }

    /// <summary>Product of the dimensions in [from, to).</summary>
    internal int Product(int from, int to)
    {
        int n = 1;
        for (int i = from; i < to; i++) n *= Dims[i];
        return n;
    }

    /// <summary>The broadcast shape of two shapes (NumPy rules: align right, sizes equal or 1), or a <see cref="ShapeException"/> naming <paramref name="op"/>.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeException($"{op}: shapes {a} and {b} cannot be broadcast: dimension {i} is {da} vs {db}");
            dims[i] = da == 1 ? db : da;
        }
        return Wrap(dims);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>A shape from an array of dimensions.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(",", _dims ?? []) + "]";
}
