using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// One entry of the layer catalog: the JSON type name, the module class it builds, the fields it accepts, how to build
/// the module from validated fields and how to describe an existing module as fields (the inverse).
/// </summary>
internal sealed record LayerType(
    string Name,
    Type ModuleType,
    FieldDef[] Fields,
    Func<LayerArgs, Module> Build,
    Func<Module, FieldBag, FieldBag> Describe)
{
    /// <summary>The field named <paramref name="name"/> (or whose old name it is), or null.</summary>
    public FieldDef? Field(string name) => Array.Find(Fields, f => f.Matches(name));
}
