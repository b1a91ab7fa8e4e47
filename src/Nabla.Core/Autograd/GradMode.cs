namespace Nabla.Autograd;

/// <summary>
/// Whether operations are recorded for backward on the current thread, and anomaly detection.
/// Turn recording off with <c>using (GradMode.NoGrad()) { ... }</c> for inference or parameter updates.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _noGradDepth;

    /// <summary>True when operations on tensors that require grad are recorded (the default).</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    /// <summary>Stops recording on this thread until the returned scope is disposed. Scopes nest.</summary>
    public static NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope();
    }

    internal static void Exit() => _noGradDepth--;

    /// <summary>
    /// Anomaly mode (like PyTorch's <c>detect_anomaly</c>): backward checks every gradient an operation
    /// produces and throws naming the first operation whose input gradient is NaN or infinite. Slower; for debugging.
    /// </summary>
    public static bool DetectAnomaly { get; set; }
}
