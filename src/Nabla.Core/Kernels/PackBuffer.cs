namespace Nabla.Kernels;

/// <summary>A growable, 64-byte aligned scratch buffer on the pinned object heap; reused across calls, never shrinks.</summary>
internal sealed unsafe class PackBuffer
{
    private byte[]? _storage;
    private byte* _aligned;
    private nint _capacity;

    /// <summary>Returns an aligned pointer to at least <paramref name="bytes"/> bytes (contents unspecified).</summary>
    public byte* Get(nint bytes)
    {
        if (bytes > _capacity)
        {
            nint size = Math.Max(bytes, _capacity + _capacity / 2);
            _storage = GC.AllocateUninitializedArray<byte>(checked((int)(size + 64)), pinned: true);
            fixed (byte* p = _storage) _aligned = (byte*)(((nint)p + 63) & ~(nint)63);
            _capacity = size;
        }
        return _aligned;
    }
}
