using Nabla.NN;

namespace Nabla.Models;

/// <summary>Collects the fields that describe an existing module, leaving out values equal to their defaults.</summary>
internal sealed class FieldBag
{
    private readonly Dictionary<string, object> _fields = [];
    private readonly Func<Module, LayerSpec> _describeChild;

    public FieldBag(Func<Module, LayerSpec> describeChild) => _describeChild = describeChild;

    public IReadOnlyDictionary<string, object> Fields => _fields;

    public FieldBag Add(string name, object value)
    {
        _fields[name] = value;
        return this;
    }

    public FieldBag AddUnless<T>(string name, T value, T defaultValue) where T : notnull
        => EqualityComparer<T>.Default.Equals(value, defaultValue) ? this : Add(name, value);

    /// <summary>Adds the layers of <paramref name="branch"/>, which must be a <see cref="Sequential"/> so parameter names survive a rebuild.</summary>
    public FieldBag AddLayers(string name, Module branch, string owner)
    {
        if (branch is not Sequential seq)
            throw new ConfigurationException($"{owner}: its {name} is a {branch.GetType().Name}; a model description needs a Sequential there so that parameter names survive a rebuild");
        return Add(name, seq.Layers.Select(_describeChild).ToList());
    }
}
