using System.Globalization;

namespace DeepSeekR1.Actors.Cli.Replay;

/// <summary>CSV cells in the invariant culture: a decimal point whatever the machine's locale, empty for no value.</summary>
public static class Csv
{
    /// <summary>A number as a cell: up to 10 significant digits, empty when missing or not a number.</summary>
    /// <param name="value">The value.</param>
    public static string Cell(double? value) =>
        value is not { } v || double.IsNaN(v) || double.IsInfinity(v) ? "" : v.ToString("G10", CultureInfo.InvariantCulture);
}
