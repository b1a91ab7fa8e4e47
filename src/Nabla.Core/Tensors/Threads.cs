using Nabla.Kernels;

namespace Nabla.Tensors;

/// <summary>
/// How many threads Nabla's computations may use: matrix products, convolutions, pooling and optimizer updates split
/// their work over up to <see cref="Max"/> threads (the calling thread included).
/// </summary>
/// <remarks>
/// Work is cut into pieces fixed by the problem alone, never by the thread count, so every result is bit-identical
/// for any <see cref="Max"/>: changing it changes speed, never numbers. The setting is process-wide; set it once,
/// before training (<c>nabla train --threads N</c> sets it for the command).
/// </remarks>
public static class Threads
{
    /// <summary>The number of threads computations may use, at least 1. Defaults to the processor count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int Max
    {
        get => Parallelism.MaxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Threads.Max must be at least 1.");
            Parallelism.MaxThreads = value;
        }
    }
}
