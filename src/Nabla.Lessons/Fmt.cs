using System.Globalization;

namespace Nabla.Lessons;

/// <summary>Number formatting for pages: invariant culture, fixed decimals or thousands separators.</summary>
internal static class Fmt
{
    /// <summary><paramref name="v"/> with exactly <paramref name="decimals"/> decimals.</summary>
    public static string F(double v, int decimals = 3) => (Math.Round(v, decimals) == 0 ? 0 : v).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A whole number with thousands separators (1,228,800).</summary>
    public static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Compact general format (4 significant digits, exponent when small or large).</summary>
    public static string G(double v) => Math.Abs(v) is > 0 and (< 1e-3 or >= 1e5)
        ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Invariant short form for SVG coordinates.</summary>
    public static string C(double v) => Math.Clamp(v, -1e5, 1e5).ToString("0.##", CultureInfo.InvariantCulture);
}
