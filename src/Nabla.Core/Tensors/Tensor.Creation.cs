using System.Numerics;
using Nabla.Errors;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32) => Empty(new Shape(shape), dtype);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32) => Full(new Shape(shape), 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32) => Full(new Shape(shape), value, dtype);

    internal static Tensor Full(Shape shape, double value, DType dtype)
    {
        var t = Uninitialized(shape, dtype);
        DTypeDispatch.Run(dtype, new FillAction(t, value));
        return t;
    }

    /// <summary>A one-element tensor of rank 0.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(Shape.Wrap([]), value, dtype);

    /// <summary>A tensor of zeros with the shape and type of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => EmptyLike(like);

    /// <summary>A tensor of ones with the shape and type of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(like.Shape, 1.0, like.DType);

    /// <summary>Values start, start+step, … below stop (like <c>torch.arange</c>), as a 1-D tensor.</summary>
    public static Tensor Arange(double start, double stop, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || !double.IsFinite(step)) throw new ValueException($"arange: step must be finite and non-zero, got {step}");
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var t = Empty(Shape.Wrap([n]), dtype);
        for (int i = 0; i < n; i++) t.SetFlat(i, start + i * step);
        return t;
    }

    /// <summary>A 1-D tensor holding 0, 1, …, n−1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32) => Arange(0, n, 1, dtype);

    /// <summary>A float32 tensor with a copy of <paramref name="data"/> in the given shape (1-D when no shape is given).</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        var s = shape.Length == 0 ? Shape.Wrap([data.Length]) : new Shape(shape);
        if (s.Numel != data.Length) throw new ShapeException($"FromArray: {data.Length} values do not fill shape {s} ({s.Numel} elements)");
        return new Tensor((float[])data.Clone(), 0, s);
    }

    /// <summary>A float64 tensor with a copy of <paramref name="data"/> in the given shape (1-D when no shape is given).</summary>
    public static Tensor FromArray(double[] data, params int[] shape)
    {
        var s = shape.Length == 0 ? Shape.Wrap([data.Length]) : new Shape(shape);
        if (s.Numel != data.Length) throw new ShapeException($"FromArray: {data.Length} values do not fill shape {s} ({s.Numel} elements)");
        return new Tensor((double[])data.Clone(), 0, s);
    }

    /// <summary>A float32 tensor from a rectangular 2-D array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        int r = data.GetLength(0), c = data.GetLength(1);
        var t = Empty(Shape.Wrap([r, c]), DType.Float32);
        var s = t.AsSpan<float>();
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) s[i * c + j] = data[i, j];
        return t;
    }

    /// <summary>A float32 tensor that uses <paramref name="data"/> as its storage without copying.</summary>
    public static Tensor Wrap(float[] data, params int[] shape) => new(data, 0, shape.Length == 0 ? Shape.Wrap([data.Length]) : new Shape(shape));

    /// <summary>A float64 tensor that uses <paramref name="data"/> as its storage without copying.</summary>
    public static Tensor Wrap(double[] data, params int[] shape) => new(data, 0, shape.Length == 0 ? Shape.Wrap([data.Length]) : new Shape(shape));

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) from <paramref name="generator"/> (default: <see cref="Generator.Default"/>).</summary>
    public static Tensor Uniform(int[] shape, double low = 0, double high = 1, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (!(low <= high)) throw new ValueException($"uniform: low {low} must not exceed high {high}");
        var g = generator ?? Generator.Default;
        var t = Zeros(shape, dtype);
        var u = new double[t.Numel];
        g.Fill(u);
        for (int i = 0; i < u.Length; i++) t.SetFlat(i, low + (high - low) * u[i]);
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(int[] shape, double mean = 0, double std = 1, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (!(std >= 0)) throw new ValueException($"normal: standard deviation must be non-negative, got {std}");
        var g = generator ?? Generator.Default;
        var t = Zeros(shape, dtype);
        var z = new double[t.Numel];
        g.FillNormal(z);
        for (int i = 0; i < z.Length; i++) t.SetFlat(i, mean + std * z[i]);
        return t;
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null, DType dtype = DType.Float32) => Uniform(shape, 0, 1, generator, dtype);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(int[] shape, Generator? generator = null, DType dtype = DType.Float32) => Normal(shape, 0, 1, generator, dtype);

    /// <summary>Rows of a one-hot matrix: [labels.Length, numClasses] with 1 at each label.</summary>
    public static Tensor OneHot(ReadOnlySpan<int> labels, int numClasses, DType dtype = DType.Float32)
    {
        if (numClasses <= 0) throw new ValueException($"one_hot: the number of classes must be positive, got {numClasses}");
        var t = Empty(Shape.Wrap([labels.Length, numClasses]), dtype);
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            if (c < 0 || c >= numClasses) throw new ValueException($"one_hot: label {c} at position {i} is out of range [0, {numClasses})");
            t.SetFlat(i * numClasses + c, 1);
        }
        return t;
    }

    /// <summary>The tensor converted to <paramref name="dtype"/> (itself when it already is); the gradient converts back.</summary>
    public Tensor ToDType(DType dtype)
    {
        if (dtype == DType) return this;
        var y = Uninitialized(Shape, dtype);
        ConvertElements(this, y);
        var x = this;
        if (Recording(x)) y.Record("to_dtype", [x], g => x.AccumulateGrad(g.ToDType(x.DType)));
        return y;
    }

    /// <summary>Copies <paramref name="source"/>'s elements into <paramref name="target"/> (same number of elements), converting the element type.</summary>
    internal static void ConvertElements(Tensor source, Tensor target) => DTypeDispatch.Run(target.DType, new ConvertInto(source, target));

    private readonly struct ConvertInto(Tensor source, Tensor target) : IDTypeAction
    {
        public void Run<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> => DTypeDispatch.Run(source.DType, new ConvertFrom<TOut>(source, target));
    }

    private readonly struct ConvertFrom<TOut>(Tensor source, Tensor target) : IDTypeAction where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> s = source.AsSpan<T>();
            Span<TOut> d = target.AsSpan<TOut>();
            for (int i = 0; i < s.Length; i++) d[i] = TOut.CreateTruncating(s[i]);
        }
    }

    private readonly struct FillAction(Tensor t, double value) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => t.AsSpan<T>().Fill(T.CreateTruncating(value));
    }
}
