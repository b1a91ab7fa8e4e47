namespace Nabla.Models;

/// <summary>
/// One field a layer type accepts: its JSON name, kind and whether it must be given, and the old name it may still be
/// read under (<see cref="Alias"/>, so that files written before a rename still load; it is never written), and for a
/// <see cref="FieldKind.Choice"/> the strings it accepts.
/// </summary>
internal sealed record FieldDef(string Name, FieldKind Kind, bool Required, string? Alias = null, string[]? Choices = null)
{
    /// <summary>An optional field holding one of <paramref name="choices"/>.</summary>
    public static FieldDef OptChoice(string name, params string[] choices) => new(name, FieldKind.Choice, false, Choices: choices);

    public static FieldDef Req(string name, FieldKind kind) => new(name, kind, true);

    public static FieldDef Opt(string name, FieldKind kind, string? alias = null) => new(name, kind, false, alias);

    /// <summary>True when <paramref name="key"/> names this field, by its name or its old name.</summary>
    public bool Matches(string key) => key == Name || key == Alias;

    /// <summary>What a valid value looks like, for error messages.</summary>
    public string Expectation => Kind switch
    {
        FieldKind.Int => "an integer",
        FieldKind.PositiveInt => "a positive integer",
        FieldKind.PositiveSize => "a positive integer or [height, width] of positive integers",
        FieldKind.NonNegativeSize => "a non-negative integer or [height, width] of non-negative integers",
        FieldKind.Number => "a finite number",
        FieldKind.PositiveNumber => "a positive number",
        FieldKind.Probability => "a number in [0, 1]",
        FieldKind.Bool => "true or false",
        FieldKind.Layers => "a list of layer objects",
        FieldKind.Choice => "one of " + string.Join(", ", (Choices ?? []).Select(c => $"\"{c}\"")),
        _ => Kind.ToString(),
    };
}
