using Nabla.Autograd;
using Nabla.Errors;

namespace Nabla.Tensors;

/// <summary>
/// An n-dimensional array of float32 (default) or float64 values, stored row-major and contiguous,
/// that records the operations applied to it so that <see cref="Backward"/> can compute gradients.
/// </summary>
/// <remarks>
/// A tensor is an ordinary managed object: no <c>Dispose</c>, the garbage collector frees it.
/// Views (<see cref="Reshape"/>, <see cref="Flatten"/>, <see cref="Squeeze"/>, <see cref="Unsqueeze"/>,
/// row slices) share storage with their source; everything else returns new storage.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly Array _data;   // float[] or double[]; may be longer than Numel (pooled buffers, views)
    internal readonly int _offset;
    internal readonly ArenaBlock? _block;   // set when the storage was rented from a TensorArena
    private readonly int _lease;            // the block's lease when this tensor was made; a mismatch means recycled storage
    internal GradNode? Node;
    internal Tensor? PendingGrad;    // gradient being accumulated for a non-leaf during backward
    private bool _requiresGrad;
    private Tensor? _grad;
    private bool _gradIsZero;        // _grad holds stale values that stand for zeros (ZeroGrad(setToNone: false))

    internal Tensor(Array data, int offset, Shape shape) : this(data, offset, shape, null, 0) { }

    private Tensor(Array data, int offset, Shape shape, ArenaBlock? block, int lease)
    {
        _data = data;
        _offset = offset;
        _block = block;
        _lease = lease;
        Shape = shape;
        DType = DTypeDispatch.Of(data);
        Numel = shape.Numel;
        if (offset < 0 || offset + Numel > data.Length)
            throw new ShapeException($"tensor: storage of {data.Length} elements cannot hold {shape} at offset {offset}");
    }

    /// <summary>A tensor over rented arena storage.</summary>
    internal Tensor(ArenaBlock block, Shape shape) : this(block.Data, 0, shape, block, block.Lease) { }

    /// <summary>Another tensor over this one's storage (a view): same array, same arena lease.</summary>
    internal Tensor View(int offset, Shape shape) => new(_data, offset, shape, _block, _lease);

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The number of elements.</summary>
    public int Numel { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>An optional name (parameters carry their hierarchical name, e.g. <c>features.0.weight</c>); used in error messages.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (inputs, parameters); results of operations
    /// on such tensors require grad by themselves while gradient recording is on.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && Node != null)
                throw new AutogradException($"RequiresGrad: cannot switch off gradients of the result of '{Node.Op}'; use Detach() for a tensor outside the graph");
            _requiresGrad = value;
        }
    }

    /// <summary>
    /// The accumulated gradient of a leaf after <see cref="Backward"/> (null until then). Non-leaves keep none unless
    /// <see cref="RetainGrad"/> was called. A tensor assigned here is exempt from arena recycling (<see cref="Keep"/>).
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            if (_gradIsZero)
            {
                _grad!.Zero();
                _gradIsZero = false;
            }
            return _grad;
        }
        set
        {
            _grad = value?.Keep();
            _gradIsZero = false;
        }
    }

    /// <summary>True for tensors not produced by a recorded operation (inputs, parameters, detached results).</summary>
    public bool IsLeaf => Node == null;

    /// <summary>The name of the operation that produced this tensor, or null for a leaf.</summary>
    public string? GradFnName => Node?.Op;

    internal bool RetainsGrad { get; private set; }

    /// <summary>Asks a non-leaf to keep its gradient in <see cref="Grad"/> after backward.</summary>
    public Tensor RetainGrad() { RetainsGrad = true; return this; }

    /// <summary>The elements as a span of <typeparamref name="T"/> (float for Float32, double for Float64). Writes go to the tensor (and to views sharing its storage).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        CheckLease();
        if (_data is T[] arr) return new Span<T>(arr, _offset, Numel);
        throw new ValueException($"AsSpan<{typeof(T).Name}>: the tensor is {DType}; use AsSpan<{DTypeDispatch.TypeName(DType)}>()");
    }

    internal Span<float> F
    {
        get
        {
            CheckLease();
            return new((float[])_data, _offset, Numel);
        }
    }

    internal Span<double> D
    {
        get
        {
            CheckLease();
            return new((double[])_data, _offset, Numel);
        }
    }

    /// <summary>Throws when the storage was rented from a <see cref="TensorArena"/> and has since been recycled.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void CheckLease()
    {
        if (_block is not null && _block.Lease != _lease) ThrowRecycled();
    }

    private void ThrowRecycled() => throw new AutogradException(
        $"tensor of shape {Shape}{NameSuffix}: its storage belonged to a TensorArena scope that has ended (for instance a Trainer step) and has been reused; " +
        "call Keep() on tensors that must outlive the scope (or Clone() them outside it)");

    /// <summary>
    /// Exempts this tensor's storage (and that of every view sharing it) from recycling by a <see cref="TensorArena"/>:
    /// it stays valid after the arena scope it was created in ends. A no-op for tensors created outside arena scopes.
    /// Parameters, gradients of leaves and optimizer state are kept automatically. Returns this tensor.
    /// </summary>
    public Tensor Keep()
    {
        CheckLease();
        _block?.Keep();
        return this;
    }

    /// <summary>A copy of the elements as float (converting from Float64 if needed).</summary>
    public float[] ToArray() => DTypeDispatch.Run<ConvertedCopy<float>, float[]>(DType, new(this));

    /// <summary>A copy of the elements as double.</summary>
    public double[] ToDoubleArray() => DTypeDispatch.Run<ConvertedCopy<double>, double[]>(DType, new(this));

    /// <summary>The element at a flat (row-major) index, as double.</summary>
    public double GetFlat(int index) => DTypeDispatch.Run<FlatElement, double>(DType, new(this, index, 0));

    /// <summary>Sets the element at a flat (row-major) index.</summary>
    public void SetFlat(int index, double value) => DTypeDispatch.Run<FlatElement, double>(DType, new(this, index, value, set: true));

    /// <summary>The elements converted to <typeparamref name="TOut"/>, in a new array.</summary>
    private readonly struct ConvertedCopy<TOut>(Tensor t) : IDTypeFunc<TOut[]> where TOut : unmanaged, System.Numerics.INumberBase<TOut>
    {
        public TOut[] Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> s = t.AsSpan<T>();
            if (typeof(T) == typeof(TOut)) return System.Runtime.InteropServices.MemoryMarshal.Cast<T, TOut>(s).ToArray();
            var r = new TOut[s.Length];
            for (int i = 0; i < r.Length; i++) r[i] = TOut.CreateTruncating(s[i]);
            return r;
        }
    }

    /// <summary>Reads (or with set, writes) one element as a double.</summary>
    private readonly struct FlatElement(Tensor t, int index, double value, bool set = false) : IDTypeFunc<double>
    {
        public double Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Span<T> s = t.AsSpan<T>();
            if (set) s[index] = T.CreateTruncating(value);
            return double.CreateTruncating(s[index]);
        }
    }

    /// <summary>The element at a multi-dimensional index, as double.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[params int[] index]
    {
        get => GetFlat(FlatIndex(index));
        set => SetFlat(FlatIndex(index), value);
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank) throw new ShapeException($"index: {index.Length} indices given for a tensor of shape {Shape}");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int d = Shape.Dims[i], ix = index[i] < 0 ? index[i] + d : index[i];
            if (ix < 0 || ix >= d) throw new ShapeException($"index: index {index[i]} is out of range for axis {i} of size {d} (shape {Shape})");
            flat = flat * d + ix;
        }
        return flat;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new ShapeException($"Item: the tensor has shape {Shape} ({Numel} elements); Item needs exactly one");
        return GetFlat(0);
    }

    /// <summary>A tensor sharing this one's data but outside the graph (no gradient flows through it).</summary>
    public Tensor Detach() => View(_offset, Shape);

    /// <summary>A new tensor with a copy of the data, outside the graph.</summary>
    public Tensor Clone()
    {
        var t = Uninitialized(Shape, DType);
        CopyElements(0, t, 0, Numel);
        return t;
    }

    /// <summary>Copies <paramref name="source"/>'s values into this tensor in place (same shape; converts the element type). Not recorded.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ShapeException($"CopyFrom: source shape {source.Shape} differs from target shape {Shape}{NameSuffix}");
        if (DType == source.DType) source.CopyElements(0, this, 0, Numel);
        else ConvertElements(source, this);
    }

    /// <summary>Sets every element to zero in place.</summary>
    public void Zero()
    {
        CheckLease();
        Array.Clear(_data, _offset, Numel);
    }

    /// <summary>
    /// Copies <paramref name="count"/> elements from flat index <paramref name="from"/> of this tensor to flat index
    /// <paramref name="to"/> of <paramref name="destination"/> (same element type; overlapping ranges are fine).
    /// </summary>
    internal void CopyElements(int from, Tensor destination, int to, int count)
    {
        CheckLease();
        destination.CheckLease();
        if ((uint)from > (uint)Numel || (uint)count > (uint)(Numel - from) || (uint)to > (uint)destination.Numel || count > destination.Numel - to)
            throw new ArgumentOutOfRangeException(nameof(count), $"copy of {count} elements from {from} of {Numel} to {to} of {destination.Numel}");
        Array.Copy(_data, _offset + from, destination._data, destination._offset + to, count);
    }

    /// <summary>Drops the gradient (sets <see cref="Grad"/> to null).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>
    /// Resets the gradient: with <paramref name="setToNone"/> drops it like <see cref="ZeroGrad()"/>; otherwise keeps the
    /// <see cref="Grad"/> tensor, which then reads as zeros, and lets the next backward pass write into it instead of
    /// allocating a new one (the zeros are only materialized if <see cref="Grad"/> is read before that).
    /// </summary>
    public void ZeroGrad(bool setToNone)
    {
        if (setToNone || _grad is null) Grad = null;
        else _gradIsZero = true;
    }

    /// <summary>The flat index of the first NaN or ±∞, or −1 when every element is finite.</summary>
    internal int IndexOfNonFinite() => DTypeDispatch.Run<NonFiniteIndex, int>(DType, new(this));

    private readonly struct NonFiniteIndex(Tensor t) : IDTypeFunc<int>
    {
        public int Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Kernels.Reductions.IndexOfNonFinite<T>(t.AsSpan<T>());
    }

    /// <summary>True when the two tensors share storage.</summary>
    internal bool SharesStorageWith(Tensor other) => ReferenceEquals(_data, other._data);

    internal string NameSuffix => Name is null ? "" : $" (tensor '{Name}')";

    /// <summary>A new zeroed tensor, rented from the current <see cref="TensorArena"/> scope if one is active on this thread.</summary>
    internal static Tensor Empty(Shape shape, DType dtype)
    {
        var arena = TensorArena.Current;
        return arena is null ? new(DTypeDispatch.Allocate(dtype, shape.Numel), 0, shape) : new(arena.Rent(shape.Numel, dtype, clear: true), shape);
    }

    /// <summary>
    /// A new tensor whose contents are unspecified (stale values when rented from an arena): only for operations
    /// that overwrite every element.
    /// </summary>
    internal static Tensor Uninitialized(Shape shape, DType dtype)
    {
        var arena = TensorArena.Current;
        return arena is null ? new(DTypeDispatch.Allocate(dtype, shape.Numel), 0, shape) : new(arena.Rent(shape.Numel, dtype, clear: false), shape);
    }

    /// <summary>A new zeroed tensor that never comes from an arena (for state that outlives a step).</summary>
    internal static Tensor Persistent(Shape shape, DType dtype) => new(DTypeDispatch.Allocate(dtype, shape.Numel), 0, shape);

    internal static Tensor EmptyLike(Tensor t) => Empty(t.Shape, t.DType);

    internal void CheckSameDType(Tensor other, string op)
    {
        if (DType != other.DType)
            throw new ValueException($"{op}: element types differ ({DType} and {other.DType}); convert one with ToDType()");
    }
}
