using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>One parameter's optimizer state: its update count t and its state buffers (float[] or double[], one element per parameter element), allocated once.</summary>
internal sealed class ParamSlot
{
    public ParamSlot(DType dtype, int numel, int bufferCount)
    {
        DType = dtype;
        Buffers = new Array[bufferCount];
        for (int i = 0; i < bufferCount; i++)
            Buffers[i] = DTypeDispatch.Allocate(dtype, numel);
    }

    public DType DType { get; }

    /// <summary>The number of updates applied to the parameter, counting the one in progress.</summary>
    public long Step;

    public Array[] Buffers { get; }

    public Span<T> Buffer<T>(int index) => (T[])Buffers[index];
}

/// <summary>
/// The part [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of a parameter's state
/// buffers that matches the slice of the parameter one update call works on (optimizers update large parameters in
/// chunks, on several threads).
/// </summary>
internal readonly struct SlotWindow(ParamSlot slot, int start, int length)
{
    /// <summary>The window of state buffer <paramref name="index"/>.</summary>
    public Span<T> Buffer<T>(int index) => slot.Buffer<T>(index).Slice(start, length);
}
