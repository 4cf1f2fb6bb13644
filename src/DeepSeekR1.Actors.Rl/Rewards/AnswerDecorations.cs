using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Strips what decorates a single value without changing it: currency signs and codes, a trailing unit after a
/// plain number (<c>18 dollars</c>, <c>5 cm</c>, <c>60 km/h</c>), a percent sign (remembered, see
/// <see cref="MathAnswer"/> for the percent policy), thousands separators (<c>1,234,567</c>, <c>1 234</c>), and
/// rewrites mixed numbers (<c>2 1/2</c>, <c>2\frac{1}{2}</c>) as sums.
/// </summary>
internal static partial class AnswerDecorations
{
    /// <summary>
    /// Units recognised even when written right after the number (<c>5cm</c>) or as one letter (<c>5 m</c>).
    /// Any other word of two or more letters counts as a unit only when a space separates it from the number,
    /// so that <c>2x</c> stays an expression.
    /// </summary>
    private static readonly HashSet<string> KnownUnits = new(StringComparer.OrdinalIgnoreCase)
    {
        "mm", "cm", "m", "km", "in", "inch", "inches", "ft", "feet", "foot", "yd", "yard", "yards", "mi", "mile", "miles",
        "mg", "g", "kg", "lb", "lbs", "oz", "ml", "liter", "liters", "litre", "litres", "gal", "gallon", "gallons",
        "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours",
        "day", "days", "week", "weeks", "year", "years", "mph", "kph", "kmh", "deg", "degree", "degrees",
        "dollar", "dollars", "cent", "cents", "usd", "eur", "euro", "euros", "unit", "units", "sq", "percent",
    };

    /// <summary>Returns <paramref name="value"/> without decorations; <paramref name="isPercent"/> tells whether it carried a percent sign or word.</summary>
    public static string Strip(string value, out bool isPercent)
    {
        isPercent = false;
        var text = value.Trim();
        text = CurrencyPrefix().Replace(text, "", 1).Trim();

        // Units and percent can stack ("50 % of cost" is not a form we accept, but "5 cm." and "50%" are).
        for (var round = 0; round < 3; round++)
        {
            if (text.EndsWith('%'))
            {
                isPercent = true;
                text = text[..^1].TrimEnd();
                continue;
            }
            var unit = NumberWithUnit().Match(text);
            if (!unit.Success)
                break;
            var words = unit.Groups["unit"].Value;
            var firstWord = FirstWord().Match(words).Value;
            var spaced = unit.Groups["space"].Length > 0;
            if (!KnownUnits.Contains(firstWord) && !(spaced && firstWord.Length >= 2))
                break;
            if (firstWord.Equals("percent", StringComparison.OrdinalIgnoreCase))
                isPercent = true;
            text = unit.Groups["value"].Value.Trim();
        }
        text = CurrencyPrefix().Replace(text, "", 1).Trim();

        if (CommaThousands().IsMatch(text) || SpaceThousands().IsMatch(text))
            text = text.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);

        var mixed = MixedNumber().Match(text);
        if (mixed.Success)
            text = $"{mixed.Groups["sign"].Value}({mixed.Groups["whole"].Value}+{mixed.Groups["num"].Value}/{mixed.Groups["den"].Value})";
        return text;
    }

    /// <summary>Whether <paramref name="text"/> is one plain decimal literal, optionally signed.</summary>
    public static bool IsPlainNumber(string text) => PlainNumber().IsMatch(text);

    [GeneratedRegex(@"^(?:US\$|USD|EUR|GBP|INR|Rs\.?|\u20ac|\u00a3|\u00a5|\u20b9)\s*", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex CurrencyPrefix();

    // The value before a unit must be a plain number (digits, sign, separators, decimal point, a/b): units are not
    // guessed after expressions, where a trailing word is far more likely a variable.
    [GeneratedRegex(@"^(?<value>[-+]?[0-9](?:[0-9,. /]*[0-9])?)(?<space>\s*)(?<unit>[A-Za-z]+(?:\s+[A-Za-z]+){0,2}(?:\s*\^\s*\{?[23]\}?)?(?:\s*/\s*[A-Za-z]+)?)\.?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NumberWithUnit();

    [GeneratedRegex(@"^[A-Za-z]+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FirstWord();

    // A leading group of 0 is no thousands: "0,125" is a decimal comma or a list, never 125.
    [GeneratedRegex(@"^[-+]?[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex CommaThousands();

    [GeneratedRegex(@"^[-+]?[1-9][0-9]{0,2}(?: [0-9]{3})+(?:\.[0-9]+)?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex SpaceThousands();

    [GeneratedRegex(@"^(?<sign>-?)(?<whole>[0-9]+)(?:\s+(?<num>[0-9]+)/(?<den>[0-9]+)|\s*\\frac\{(?<num>[0-9]+)\}\{(?<den>[0-9]+)\})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex MixedNumber();

    [GeneratedRegex(@"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex PlainNumber();
}
