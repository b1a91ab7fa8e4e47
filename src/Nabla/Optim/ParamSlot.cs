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
            Buffers[i] = dtype == DType.Float32 ? new float[numel] : new double[numel];
    }

    public DType DType { get; }

    /// <summary>The number of updates applied to the parameter, counting the one in progress.</summary>
    public long Step;

    public Array[] Buffers { get; }

    public Span<T> Buffer<T>(int index) => (T[])Buffers[index];
}
