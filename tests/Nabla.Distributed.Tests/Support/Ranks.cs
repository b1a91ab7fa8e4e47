namespace Nabla.Distributed.Tests.Support;

/// <summary>Runs one body per rank on threads over an <see cref="InProcessCommunicator"/> group.</summary>
public static class Ranks
{
    /// <summary>
    /// The results of <paramref name="body"/> on <paramref name="size"/> ranks, or per rank the exception it threw
    /// (a failing rank aborts the group so the others stop instead of waiting).
    /// </summary>
    public static (T? Result, Exception? Error)[] Run<T>(int size, Func<ICommunicator, T> body)
    {
        var comms = InProcessCommunicator.Create(size);
        var results = new (T?, Exception?)[size];
        var threads = comms.Select(c => new Thread(() =>
        {
            try { results[c.Rank] = (body(c), null); }
            catch (Exception e)
            {
                results[c.Rank] = (default, e);
                if (e is not OperationCanceledException) try { c.Abort(1); } catch (OperationCanceledException) { }
            }
        }, 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return results;
    }

    /// <summary>The results, failing with the first rank's error if any rank failed.</summary>
    public static T[] RunAll<T>(int size, Func<ICommunicator, T> body)
    {
        var r = Run(size, body);
        if (r.FirstOrDefault(x => x.Error is not null and not OperationCanceledException).Error is { } e) throw new AggregateException(e);
        if (r.FirstOrDefault(x => x.Error is not null).Error is { } c) throw new AggregateException(c);
        return r.Select(x => x.Result!).ToArray();
    }
}
