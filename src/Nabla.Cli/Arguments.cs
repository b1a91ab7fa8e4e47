using System.Globalization;

namespace Nabla.Cli;

/// <summary>
/// Command-line arguments: <c>--name value</c> options, <c>--flag</c> switches and positional values.
/// Every option a command reads is marked used; <see cref="EnsureAllUsed"/> rejects unknown ones, naming them.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> switches)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                else if (!switches.Contains(name))
                {
                    if (i + 1 >= list.Count) throw new CliException($"option --{name} needs a value");
                    value = list[++i];
                }
                if (_options.ContainsKey(name)) throw new CliException($"option --{name} is given twice");
                _options[name] = value;
            }
            else Positional.Add(a);
        }
    }

    public List<string> Positional { get; } = [];

    public bool Has(string name) { _used.Add(name); return _options.ContainsKey(name); }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return false;
        return v is null || v is "true" or "1" or "yes" ? true
            : v is "false" or "0" or "no" ? false
            : throw new CliException($"--{name}: expected true or false, got '{v}'");
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var v) ? v : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new CliException($"--{name}: expected an integer, got '{s}'");
        if (v < min || v > max) throw new CliException($"--{name}: must be between {min} and {max}, got {v}");
        return v;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new CliException($"--{name}: expected a number, got '{s}'");
        if (v < min || v > max || (exclusiveMin && v == min))
            throw new CliException($"--{name}: must be {(exclusiveMin ? "greater than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)}{(double.IsPositiveInfinity(max) ? "" : $" and at most {max.ToString(CultureInfo.InvariantCulture)}")}, got {s}");
        return v;
    }

    /// <summary>Refuses positional values for a command that takes none (they were silently ignored).</summary>
    public void EnsureNoPositional(string command)
    {
        if (Positional.Count > 0) throw new CliException($"{command}: unexpected argument '{Positional[0]}' (see 'nabla {command} --help')");
    }

    public void EnsureAllUsed(string command)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new CliException($"{command}: unknown option --{unknown[0]} (see 'nabla {command} --help')");
    }
}
