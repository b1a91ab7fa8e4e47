namespace Nabla.Kernels;

/// <summary>
/// The thread budget of every kernel. Work is split into fixed chunks whose results never depend on
/// how many threads run them, so results are bit-identical for any <see cref="MaxThreads"/>.
/// </summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>The number of threads kernels may use (at least 1). Defaults to the processor count.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Parallelism.MaxThreads must be at least 1.");
            _maxThreads = value;
        }
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), spread over up to <see cref="MaxThreads"/> threads.</summary>
    /// <remarks>Each index must write only its own outputs; the order in which indices run is unspecified.</remarks>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        int threads = Math.Min(_maxThreads, count);
        if (threads == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
