using Nabla.Errors;

namespace Nabla.Tensors;

// Slicing, gathering, concatenation and stacking, each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>
    /// Elements <paramref name="start"/>..<paramref name="start"/>+<paramref name="length"/> along <paramref name="axis"/>.
    /// Along axis 0 (mini-batches of rows) it is a view; along other axes a copy.
    /// </summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis, "narrow");
        int size = Shape.Dims[a];
        if (start < 0 || length < 0 || start + length > size)
            throw new ShapeException($"narrow: range [{start}, {start + length}) is outside axis {axis} of size {size} (shape {Shape})");
        var dims = Shape.ToArray();
        dims[a] = length;
        int outer = Shape.Product(0, a), inner = Shape.Product(a + 1, Rank);
        var x = this;
        Tensor y;
        if (outer == 1) y = View(_offset + start * inner, Shape.Wrap(dims));
        else
        {
            y = Empty(Shape.Wrap(dims), DType);
            for (int o = 0; o < outer; o++) CopyElements((o * size + start) * inner, y, o * length * inner, length * inner);
        }
        if (Recording(x))
            y.Record("narrow", [x], g =>
            {
                var dx = EmptyLike(x);
                for (int o = 0; o < outer; o++) g.CopyElements(o * length * inner, dx, (o * size + start) * inner, length * inner);
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>Rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of axis 0 (a view): a mini-batch.</summary>
    public Tensor Rows(int start, int count) => Narrow(0, start, count);

    /// <summary>
    /// The slices at <paramref name="indices"/> along <paramref name="axis"/>, in that order (repeats allowed),
    /// e.g. a shuffled mini-batch of rows. Backward adds each gradient slice back to its source.
    /// </summary>
    public Tensor IndexSelect(int axis, ReadOnlySpan<int> indices)
    {
        int a = Shape.NormalizeAxis(axis, "index_select");
        int size = Shape.Dims[a];
        var idx = indices.ToArray();
        foreach (int i in idx)
            if (i < 0 || i >= size) throw new ShapeException($"index_select: index {i} is out of range for axis {axis} of size {size} (shape {Shape})");
        var dims = Shape.ToArray();
        dims[a] = idx.Length;
        int outer = Shape.Product(0, a), inner = Shape.Product(a + 1, Rank);
        var y = Empty(Shape.Wrap(dims), DType);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < idx.Length; k++) CopyElements((o * size + idx[k]) * inner, y, (o * idx.Length + k) * inner, inner);
        var x = this;
        if (Recording(x))
            y.Record("index_select", [x], g =>
            {
                var dx = EmptyLike(x);
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < idx.Length; k++)
                        for (int i = 0; i < inner; i++)
                        {
                            int d = (o * size + idx[k]) * inner + i;
                            dx.SetFlat(d, dx.GetFlat(d) + g.GetFlat((o * idx.Length + k) * inner + i));
                        }
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>
    /// PyTorch's gather: out[..., j, ...] = x[..., index[..., j, ...], ...] along <paramref name="axis"/>, where
    /// <paramref name="index"/> holds integer positions (stored as floats) and has this tensor's shape except along the axis.
    /// </summary>
    public Tensor Gather(int axis, Tensor index)
    {
        int a = Shape.NormalizeAxis(axis, "gather");
        if (index.Rank != Rank) throw new ShapeException($"gather: index shape {index.Shape} must have the rank of input shape {Shape}");
        for (int i = 0; i < Rank; i++)
            if (i != a && index.Shape.Dims[i] != Shape.Dims[i])
                throw new ShapeException($"gather: index shape {index.Shape} differs from input shape {Shape} at axis {i}");
        int outer = Shape.Product(0, a), n = Shape.Dims[a], m = index.Shape.Dims[a], inner = Shape.Product(a + 1, Rank);
        var src = new int[index.Numel];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                {
                    int q = (o * m + j) * inner + i;
                    double v = index.GetFlat(q);
                    int k = (int)v;
                    if (k != v || k < 0 || k >= n) throw new ShapeException($"gather: index value {v} is out of range for axis {axis} of size {n}");
                    src[q] = (o * n + k) * inner + i;
                }
        var y = Empty(index.Shape, DType);
        for (int q = 0; q < src.Length; q++) y.SetFlat(q, GetFlat(src[q]));
        var x = this;
        if (Recording(x))
            y.Record("gather", [x], g =>
            {
                var dx = EmptyLike(x);
                for (int q = 0; q < src.Length; q++) dx.SetFlat(src[q], dx.GetFlat(src[q]) + g.GetFlat(q));
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ShapeException("concat: no tensors given");
        var first = tensors[0];
        int a = first.Shape.NormalizeAxis(axis, "concat");
        int total = 0;
        foreach (var t in tensors)
        {
            first.CheckSameDType(t, "concat");
            if (t.Rank != first.Rank) throw new ShapeException($"concat: shapes {first.Shape} and {t.Shape} have different ranks");
            for (int i = 0; i < t.Rank; i++)
                if (i != a && t.Shape.Dims[i] != first.Shape.Dims[i])
                    throw new ShapeException($"concat: shapes {first.Shape} and {t.Shape} differ at axis {i} (concatenating along axis {a})");
            total += t.Shape.Dims[a];
        }
        var dims = first.Shape.ToArray();
        dims[a] = total;
        int outer = first.Shape.Product(0, a), inner = first.Shape.Product(a + 1, first.Rank);
        var y = Empty(Shape.Wrap(dims), first.DType);
        int off = 0;
        var offsets = new int[tensors.Count];
        for (int k = 0; k < tensors.Count; k++)
        {
            var t = tensors[k];
            int len = t.Shape.Dims[a] * inner;
            offsets[k] = off;
            for (int o = 0; o < outer; o++) t.CopyElements(o * len, y, o * total * inner + off, len);
            off += len;
        }
        var inputs = tensors.ToArray();
        bool rec = false;
        foreach (var t in inputs) rec |= Recording(t);
        if (rec)
            y.Record("concat", inputs, g =>
            {
                for (int k = 0; k < inputs.Length; k++)
                {
                    var t = inputs[k];
                    if (!t.RequiresGrad) continue;
                    int len = t.Shape.Dims[a] * inner;
                    var dx = EmptyLike(t);
                    for (int o = 0; o < outer; o++) g.CopyElements(o * total * inner + offsets[k], dx, o * len, len);
                    t.AccumulateGrad(dx);
                }
            });
        return y;
    }

    /// <summary>Joins same-shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ShapeException("stack: no tensors given");
        var s0 = tensors[0].Shape;
        foreach (var t in tensors)
            if (t.Shape != s0) throw new ShapeException($"stack: shapes {s0} and {t.Shape} differ; stack needs equal shapes");
        int a = axis < 0 ? axis + s0.Rank + 1 : axis;
        if (a < 0 || a > s0.Rank) throw new ShapeException($"stack: axis {axis} is out of range for tensors of shape {s0}");
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = tensors[i].Unsqueeze(a);
        return Concat(parts, a);
    }
}
