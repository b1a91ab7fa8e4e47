using Nabla.Errors;

namespace Nabla.Optim;

/// <summary>Validation of optimizer and schedule options; every message names the owner, the option and the bad value.</summary>
internal static class OptionCheck
{
    public static double NonNegative(string owner, string option, double value)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ValueException($"{owner}: {option} must be a finite number ≥ 0, got {value}");
        return value;
    }

    public static double Positive(string owner, string option, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ValueException($"{owner}: {option} must be a finite number > 0, got {value}");
        return value;
    }

    /// <summary>A coefficient in [0, 1): momentum, decay rates ρ, β.</summary>
    public static double UnitInterval(string owner, string option, double value)
    {
        if (!(value >= 0 && value < 1))
            throw new ValueException($"{owner}: {option} must be in [0, 1), got {value}");
        return value;
    }

    /// <summary>A factor in (0, 1): multiplicative decay of a rate.</summary>
    public static double OpenUnitInterval(string owner, string option, double value)
    {
        if (!(value > 0 && value < 1))
            throw new ValueException($"{owner}: {option} must be in (0, 1), got {value}");
        return value;
    }

    /// <summary>A decay factor in (0, 1].</summary>
    public static double DecayFactor(string owner, string option, double value)
    {
        if (!(value > 0 && value <= 1))
            throw new ValueException($"{owner}: {option} must be in (0, 1], got {value}");
        return value;
    }

    public static long PositiveCount(string owner, string option, long value)
    {
        if (value <= 0)
            throw new ValueException($"{owner}: {option} must be ≥ 1, got {value}");
        return value;
    }

    public static long NonNegativeCount(string owner, string option, long value)
    {
        if (value < 0)
            throw new ValueException($"{owner}: {option} must be ≥ 0, got {value}");
        return value;
    }
}
