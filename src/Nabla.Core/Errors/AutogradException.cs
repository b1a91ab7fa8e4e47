namespace Nabla.Errors;

/// <summary>Misuse of automatic differentiation: a backward pass through a freed graph, a non-scalar root without a gradient, a non-finite gradient in anomaly mode, a grad-mode scope ended twice, out of order or on another thread.</summary>
public class AutogradException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public AutogradException(string message) : base(message) { }
}
