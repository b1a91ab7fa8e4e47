using Nabla.Errors;

namespace Nabla.Models;

/// <summary>
/// A model description (architecture JSON, zoo name) is invalid: malformed JSON, an unknown layer type or field, a
/// missing field, a value of the wrong type or range, or layers whose shapes do not chain. The message names the
/// source (file), the layer index and the field, e.g. <c>arch.json: layer 3 (conv2d): unknown field 'kernal'</c>.
/// </summary>
public class ConfigurationException : NablaException
{
    /// <summary>Creates the error with its message.</summary>
    public ConfigurationException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public ConfigurationException(string message, Exception? inner) : base(message, inner) { }
}
