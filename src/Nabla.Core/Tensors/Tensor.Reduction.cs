using Nabla.Errors;

namespace Nabla.Tensors;

// Reductions over any set of axes, each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>Sum of all elements, as a rank-0 tensor.</summary>
    public Tensor Sum() => Sum(AllAxes(), keepDim: false);

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Sum over the given axes (negative axes count from the end). Backward broadcasts the gradient back.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        var ax = NormalizeAxes(axes, "sum");
        var x = this;
        var keptShape = ReducedShape(ax, true);
        var y = Empty(keptShape, DType);
        if (ax.Length == 0) { CopyTo(y); }
        else
        {
            // Reduce axis by axis, from the last one down, keeping dimensions so indices stay valid.
            Tensor cur = this;
            for (int k = ax.Length - 1; k >= 0; k--)
            {
                int a = ax[k];
                var dims = cur.Shape.ToArray();
                int outer = cur.Shape.Product(0, a), n = dims[a], inner = cur.Shape.Product(a + 1, cur.Rank);
                dims[a] = 1;
                var next = k == 0 ? y : Empty(Shape.Wrap(dims), DType);
                DTypeDispatch.Run(DType, new AxisSum(cur, next, outer, n, inner));
                cur = next;
            }
        }
        var result = keepDim ? y : y.ViewAs(ReducedShape(ax, false));
        if (Recording(x)) result.Record("sum", [x], g => x.AccumulateGrad(BroadcastTo(g.ViewAs(keptShape), x.Shape)));
        return result;
    }

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean(AllAxes(), false);

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Mean over the given axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        var ax = NormalizeAxes(axes, "mean");
        int count = 1;
        foreach (int a in ax) count *= Shape.Dims[a];
        return Sum(ax, keepDim) * (1.0 / Math.Max(count, 1));
    }

    /// <summary>
    /// Variance over the given axes: mean of squared deviations, divided by (n − <paramref name="correction"/>)
    /// instead of n when a correction is given (1 for the unbiased estimate).
    /// </summary>
    public Tensor Variance(int[] axes, bool keepDim = false, int correction = 0)
    {
        var ax = NormalizeAxes(axes, "variance");
        int count = 1;
        foreach (int a in ax) count *= Shape.Dims[a];
        var dev = this - Mean(ax, keepDim: true);
        return (dev * dev).Sum(ax, keepDim) * (1.0 / Math.Max(count - correction, 1));
    }

    /// <summary>Variance over one axis.</summary>
    public Tensor Variance(int axis, bool keepDim = false, int correction = 0) => Variance([axis], keepDim, correction);

    /// <summary>Variance of all elements.</summary>
    public Tensor Variance(int correction = 0) => Variance(AllAxes(), false, correction);

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Max(AllAxes(), false);

    /// <summary>Maximum over one axis.</summary>
    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);

    /// <summary>
    /// Maximum over the given axes. Backward routes the whole gradient to the first maximal element
    /// (lowest index along each reduced axis), like the max gate.
    /// </summary>
    public Tensor Max(int[] axes, bool keepDim = false) => Extreme(axes, keepDim, max: true);

    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => Min(AllAxes(), false);

    /// <summary>Minimum over one axis.</summary>
    public Tensor Min(int axis, bool keepDim = false) => Min([axis], keepDim);

    /// <summary>Minimum over the given axes; backward routes the gradient to the first minimal element.</summary>
    public Tensor Min(int[] axes, bool keepDim = false) => Extreme(axes, keepDim, max: false);

    private Tensor Extreme(int[] axes, bool keepDim, bool max)
    {
        var ax = NormalizeAxes(axes, max ? "max" : "min");
        if (Numel == 0) throw new ShapeException($"{(max ? "max" : "min")}: the tensor of shape {Shape} is empty");
        Tensor cur = this;
        for (int k = ax.Length - 1; k >= 0; k--) cur = cur.ExtremeAxis(ax[k], max);
        return keepDim ? cur : cur.Reshape(ReducedShape(ax, false).ToArray());
    }

    private Tensor ExtremeAxis(int a, bool max)
    {
        var x = this;
        var dims = Shape.ToArray();
        int outer = Shape.Product(0, a), n = dims[a], inner = Shape.Product(a + 1, Rank);
        dims[a] = 1;
        var y = Empty(Shape.Wrap(dims), DType);
        var idx = new int[outer * inner];
        DTypeDispatch.Run(DType, new AxisExtreme(this, y, idx, outer, n, inner, max));
        if (Recording(x))
            y.Record(max ? "max" : "min", [x], g =>
            {
                var dx = EmptyLike(x);
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        dx.SetFlat((o * n + idx[o * inner + i]) * inner + i, g.GetFlat(o * inner + i));
                x.AccumulateGrad(dx);
            });
        return y;
    }

    /// <summary>
    /// Index of the first maximum along <paramref name="axis"/>. Nabla has no integer tensors, so the indices are
    /// stored as values of this tensor's type (exact up to 2^24 in float32). Not differentiable.
    /// </summary>
    public Tensor ArgMax(int axis, bool keepDim = false)
    {
        int a = Shape.NormalizeAxis(axis, "argmax");
        var dims = Shape.ToArray();
        int outer = Shape.Product(0, a), n = dims[a], inner = Shape.Product(a + 1, Rank);
        if (n == 0) throw new ShapeException($"argmax: axis {axis} of shape {Shape} is empty");
        var idx = new int[outer * inner];
        var tmp = Empty(Shape.Wrap([outer * inner]), DType);
        DTypeDispatch.Run(DType, new AxisExtreme(this, tmp, idx, outer, n, inner, true));
        for (int i = 0; i < idx.Length; i++) tmp.SetFlat(i, idx[i]);
        dims[a] = 1;
        return keepDim ? tmp.ViewAs(Shape.Wrap(dims)) : tmp.ViewAs(ReducedShape([a], false));
    }

    /// <summary>For a [rows, classes] tensor: the index of each row's first maximum, as integers.</summary>
    public int[] ArgMaxRows()
    {
        if (Rank != 2) throw new ShapeException($"ArgMaxRows: expected a [rows, classes] tensor, got shape {Shape}");
        var t = ArgMax(1);
        var r = new int[t.Numel];
        for (int i = 0; i < r.Length; i++) r[i] = (int)t.GetFlat(i);
        return r;
    }

    /// <summary>A copy of <paramref name="g"/> broadcast to <paramref name="shape"/> (not recorded).</summary>
    internal static Tensor BroadcastTo(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g;
        return BinaryForward(Empty(shape, g.DType), g, BinaryOp.Add, "broadcast");
    }

    private int[] AllAxes()
    {
        var a = new int[Rank];
        for (int i = 0; i < Rank; i++) a[i] = i;
        return a;
    }

    private int[] NormalizeAxes(int[] axes, string op)
    {
        var r = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) r[i] = Shape.NormalizeAxis(axes[i], op);
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ShapeException($"{op}: axis {r[i]} given twice for shape {Shape}");
        return r;
    }

    private Shape ReducedShape(int[] sortedAxes, bool keepDim)
    {
        var dims = new List<int>(Rank);
        for (int i = 0; i < Rank; i++)
        {
            bool reduced = Array.BinarySearch(sortedAxes, i) >= 0;
            if (!reduced) dims.Add(Shape.Dims[i]);
            else if (keepDim) dims.Add(1);
        }
        return Shape.Wrap(dims.ToArray());
    }

    private void CopyTo(Tensor y) => CopyElements(0, y, 0, Numel);

    private readonly struct AxisSum(Tensor x, Tensor y, int outer, int n, int inner) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => AxisReduce.Sum<T>(x.AsSpan<T>(), y.AsSpan<T>(), outer, n, inner);
    }

    private readonly struct AxisExtreme(Tensor x, Tensor y, int[] index, int outer, int n, int inner, bool max) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => AxisReduce.Extreme<T>(x.AsSpan<T>(), y.AsSpan<T>(), index, outer, n, inner, max);
    }
}
