namespace Nabla.Errors;

/// <summary>An argument had a value outside what the operation accepts (a negative size, a NaN learning rate, a label out of range). The message names the argument, the expected range and the actual value.</summary>
public class ValueException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public ValueException(string message) : base(message) { }
}
