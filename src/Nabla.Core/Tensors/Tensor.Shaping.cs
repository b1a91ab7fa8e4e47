using Nabla.Errors;

namespace Nabla.Tensors;

// Shape changes. Reshape, Flatten, Squeeze and Unsqueeze are views (shared storage); Permute and
// Transpose copy, since storage is always contiguous.
public sealed partial class Tensor
{
    internal Tensor ViewAs(Shape shape) => View(_offset, shape);

    /// <summary>The same data seen with another shape (a view). One dimension may be −1 and is inferred.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var dims = (int[])shape.Clone();
        int infer = -1, known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ShapeException($"reshape: only one dimension may be -1 in [{string.Join(",", shape)}]");
                infer = i;
            }
            else if (dims[i] < 0) throw new ShapeException($"reshape: dimension {dims[i]} in [{string.Join(",", shape)}] is negative");
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ShapeException($"reshape: cannot infer -1 in [{string.Join(",", shape)}] for {Numel} elements of shape {Shape}");
            dims[infer] = Numel / known;
        }
        var s = Shape.Wrap(dims);
        if (s.Numel != Numel) throw new ShapeException($"reshape: shape {Shape} ({Numel} elements) cannot be viewed as {s} ({s.Numel} elements)");
        var x = this;
        var y = ViewAs(s);
        if (Recording(x)) y.Record("reshape", [x], g => x.AccumulateGrad(g.ViewAs(x.Shape)));
        return y;
    }

    /// <summary>Merges axes <paramref name="startAxis"/>..<paramref name="endAxis"/> into one (a view). Flatten(1) turns [N,C,H,W] into [N,C·H·W].</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shape.NormalizeAxis(startAxis, "flatten"), e = Shape.NormalizeAxis(endAxis, "flatten");
        if (s > e) throw new ShapeException($"flatten: start axis {startAxis} comes after end axis {endAxis} for shape {Shape}");
        var dims = new List<int>();
        for (int i = 0; i < s; i++) dims.Add(Shape.Dims[i]);
        dims.Add(Shape.Product(s, e + 1));
        for (int i = e + 1; i < Rank; i++) dims.Add(Shape.Dims[i]);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes axis <paramref name="axis"/> of size 1 (a view); without an axis, removes every size-1 axis.</summary>
    public Tensor Squeeze(int? axis = null)
    {
        var dims = new List<int>();
        if (axis is int a0)
        {
            int a = Shape.NormalizeAxis(a0, "squeeze");
            if (Shape.Dims[a] != 1) throw new ShapeException($"squeeze: axis {a0} of shape {Shape} has size {Shape.Dims[a]}, not 1");
            for (int i = 0; i < Rank; i++) if (i != a) dims.Add(Shape.Dims[i]);
        }
        else foreach (int d in Shape.Dims) if (d != 1) dims.Add(d);
        return Reshape(dims.ToArray());
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (a view); −1 appends it.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ShapeException($"unsqueeze: axis {axis} is out of range for shape {Shape}");
        var dims = Shape.ToArray().ToList();
        dims.Insert(a, 1);
        return Reshape(dims.ToArray());
    }

    /// <summary>Reorders the axes: output axis i is input axis <paramref name="perm"/>[i]. Copies.</summary>
    public Tensor Permute(params int[] perm)
    {
        if (perm.Length != Rank) throw new ShapeException($"permute: {perm.Length} axes given for shape {Shape} of rank {Rank}");
        var p = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            p[i] = Shape.NormalizeAxis(perm[i], "permute");
            if (seen[p[i]]) throw new ShapeException($"permute: axis {perm[i]} repeated in [{string.Join(",", perm)}]");
            seen[p[i]] = true;
        }
        var inv = new int[Rank];
        for (int i = 0; i < Rank; i++) inv[p[i]] = i;
        var x = this;
        var y = PermuteCopy(p);
        if (Recording(x)) y.Record("permute", [x], g => x.AccumulateGrad(g.PermuteCopy(inv)));
        return y;
    }

    private Tensor PermuteCopy(int[] p)
    {
        var outDims = new int[Rank];
        for (int i = 0; i < Rank; i++) outDims[i] = Shape.Dims[p[i]];
        var y = Empty(Shape.Wrap(outDims), DType);
        var inStrides = Shape.Strides();
        var st = new int[Rank];
        for (int i = 0; i < Rank; i++) st[i] = inStrides[p[i]];
        DTypeDispatch.Run(DType, new PermuteAction(this, y, outDims, st));
        return y;
    }

    private readonly struct PermuteAction(Tensor x, Tensor y, int[] dims, int[] strides) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => PermuteKernel<T>(x.AsSpan<T>(), y.AsSpan<T>(), dims, strides);
    }

    private static void PermuteKernel<T>(ReadOnlySpan<T> x, Span<T> y, int[] dims, int[] strides)
    {
        int rank = dims.Length;
        if (rank == 0) { if (y.Length > 0) y[0] = x[0]; return; }
        var counter = new int[rank];
        int inner = dims[rank - 1], sInner = strides[rank - 1], off = 0;
        for (int o = 0; o < y.Length; o += inner)
        {
            for (int i = 0; i < inner; i++) y[o + i] = x[off + i * sInner];
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                counter[ax]++;
                off += strides[ax];
                if (counter[ax] < dims[ax]) break;
                off -= strides[ax] * dims[ax];
                counter[ax] = 0;
            }
        }
    }

    /// <summary>Swaps two axes (a copy).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var p = new int[Rank];
        for (int i = 0; i < Rank; i++) p[i] = i;
        int a = Shape.NormalizeAxis(axis0, "transpose"), b = Shape.NormalizeAxis(axis1, "transpose");
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>The transpose of a matrix (rank 2).</summary>
    public Tensor T
    {
        get
        {
            if (Rank != 2) throw new ShapeException($"T: expected a matrix, got shape {Shape}; use Transpose(a, b) or Permute");
            return Transpose(0, 1);
        }
    }
}
