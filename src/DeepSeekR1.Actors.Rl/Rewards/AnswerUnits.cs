using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// The unit an answer is given in, so that a unit can be dropped (gold <c>5</c>, answer <c>5 cm</c>) but not changed
/// (gold <c>5 km</c>, answer <c>5 m</c>). Only units this table knows count, spelled any of the usual ways
/// (<c>km</c>, <c>kilometers</c>, <c>\text{ km}</c>); a square or cube and a per-unit are part of the unit
/// (<c>cm^2</c> is not <c>cm</c>).
/// </summary>
internal static partial class AnswerUnits
{
    private static readonly Dictionary<string, string> Canonical = Build(
        ["mm", "millimeter", "millimeters", "millimetre", "millimetres"], ["cm", "centimeter", "centimeters", "centimetre", "centimetres"],
        ["m", "meter", "meters", "metre", "metres"], ["km", "kilometer", "kilometers", "kilometre", "kilometres"],
        ["in", "inch", "inches"], ["ft", "feet", "foot"], ["yd", "yard", "yards"], ["mi", "mile", "miles"],
        ["mg", "milligram", "milligrams"], ["g", "gram", "grams"], ["kg", "kilogram", "kilograms"], ["lb", "lbs", "pound", "pounds"],
        ["oz", "ounce", "ounces"], ["ml", "milliliter", "milliliters", "millilitre", "millilitres"], ["l", "liter", "liters", "litre", "litres"],
        ["gal", "gallon", "gallons"], ["s", "sec", "secs", "second", "seconds"], ["min", "mins", "minute", "minutes"],
        ["h", "hr", "hrs", "hour", "hours"], ["day", "days"], ["week", "weeks"], ["year", "years"], ["mph"], ["kph", "kmh"],
        ["deg", "degree", "degrees"], ["dollar", "dollars", "usd"], ["cent", "cents"], ["eur", "euro", "euros"]);

    private static Dictionary<string, string> Build(params string[][] groups)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in groups)
            foreach (var name in group) map[name] = group[0];
        return map;
    }

    /// <summary>The canonical unit of <paramref name="answer"/> (raw, before normalisation), or null when it has none this table knows.</summary>
    public static string? Of(string answer)
    {
        string text = answer.Replace("$", "", StringComparison.Ordinal).Trim().TrimEnd('.');
        var match = TextUnit().Match(text);
        if (!match.Success) match = TrailingUnit().Match(text);
        if (!match.Success) return null;
        string unit = Whitespace().Replace(match.Groups["unit"].Value, "") + (match.Groups["power"].Success ? "^" + match.Groups["power"].Value : "");
        // cm^2, km/h: each word canonical, the power and the per kept.
        var parts = Parts().Split(unit);
        var canonical = new List<string>();
        foreach (var part in parts)
        {
            if (part.Length == 0) continue;
            if (part is "^" or "/" || part.All(char.IsDigit)) { canonical.Add(part); continue; }
            if (!Canonical.TryGetValue(part, out var name)) return null;
            canonical.Add(name);
        }
        if (canonical.Count == 0) return null;
        string joined = string.Concat(canonical);
        return joined switch { "km/h" => "kph", "mi/h" => "mph", _ => joined };   // one spelling for a speed
    }

    /// <summary>Why two answers' units disagree, or null when they agree or either has none.</summary>
    public static string? Conflict(string predicted, string gold) =>
        Of(predicted) is { } p && Of(gold) is { } g && p != g ? $"units differ ({p} vs {g})" : null;

    // "5\text{ km}", "5 \mbox{cm}^2", "60\,\mathrm{km/h}": a unit in a text command after the value.
    [GeneratedRegex(@"\\(?:text|mbox|mathrm|textnormal|textrm|textup)\s*\{\s*(?<unit>[A-Za-z]+(?:\s*/\s*[A-Za-z]+)?)\s*\}(?:\s*\^\s*\{?(?<power>[23])\}?)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TextUnit();

    // "5 km", "5km", "3 hours", "12 cm^2", "60 km/h" after a plain number.
    [GeneratedRegex(@"^[-+]?[0-9][0-9,. /]*\s*(?<unit>[A-Za-z]+(?:\s*\^\s*\{?[23]\}?)?(?:\s*/\s*[A-Za-z]+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingUnit();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"([\^/]|[{}])")]
    private static partial Regex Parts();
}
