namespace Nabla.Autograd;

/// <summary>
/// The autograd modes of the current thread: whether operations are recorded for backward, and anomaly detection.
/// Both are scopes: <c>using (GradMode.NoGrad()) { ... }</c> turns recording off for inference or parameter updates,
/// <c>using (GradMode.DetectAnomaly()) { ... }</c> checks every gradient of the backward passes run inside it.
/// </summary>
/// <remarks>
/// A mode belongs to the thread that opened its scope and ends with the scope, so other threads (another model
/// training beside this one, a test running in parallel) never see it. Scopes nest. A scope must be ended exactly
/// once, on the thread that opened it, after every scope opened inside it: anything else throws an
/// <see cref="Errors.AutogradException"/> naming what happened (disposed twice, out of order, on another thread)
/// and leaves the mode as it was, instead of leaking it into the rest of the thread's work.
/// </remarks>
public static class GradMode
{
    [ThreadStatic] private static ScopeStack _noGrad;
    [ThreadStatic] private static ScopeStack _anomaly;

    /// <summary>True when operations on tensors that require grad are recorded on this thread (the default): no <see cref="NoGrad"/> scope is open.</summary>
    public static bool IsEnabled => _noGrad.Depth == 0;

    /// <summary>Stops recording on this thread until the returned scope is disposed. Scopes nest.</summary>
    public static NoGradScope NoGrad()
    {
        long token = _noGrad.Push();
        return new NoGradScope(token, _noGrad.Depth, Environment.CurrentManagedThreadId);
    }

    internal static void ExitNoGrad(long token, int depth, int thread) => _noGrad.Pop("GradMode.NoGrad", token, depth, thread);

    /// <summary>True while a <see cref="DetectAnomaly"/> scope is open on this thread.</summary>
    public static bool IsAnomalyDetectionEnabled => _anomaly.Depth != 0;

    /// <summary>
    /// Turns anomaly detection on for this thread until the returned scope is disposed (like PyTorch's
    /// <c>detect_anomaly</c>): backward checks every gradient an operation produces and throws an
    /// <see cref="Errors.AutogradException"/> naming the first operation whose input gradient is NaN or infinite.
    /// Slower; for debugging. Scopes nest; backward passes on other threads are not checked.
    /// </summary>
    public static AnomalyScope DetectAnomaly()
    {
        long token = _anomaly.Push();
        return new AnomalyScope(token, _anomaly.Depth, Environment.CurrentManagedThreadId);
    }

    internal static void ExitAnomaly(long token, int depth, int thread) => _anomaly.Pop("GradMode.DetectAnomaly", token, depth, thread);
}
