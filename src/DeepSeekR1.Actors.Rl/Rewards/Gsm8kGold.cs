using System.Globalization;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>
/// Reads the gold answer of a GSM8K record: the worked solution ends with a line <c>#### 18</c>, and the number
/// after the marker (possibly written <c>1,450,000</c> or <c>$18</c>) is the reference answer.
/// </summary>
public static class Gsm8kGold
{
    private const string Marker = "####";

    /// <summary>
    /// The canonical number after the last <c>####</c> (separators, currency and trailing period removed), for example
    /// <c>1450000</c>. Throws <see cref="FormatException"/> when the field has no marker or no number after it: gold
    /// data is trusted input, and a broken record should stop the loader, not be scored.
    /// </summary>
    /// <param name="answerField">The <c>answer</c> field of a GSM8K record.</param>
    public static string Parse(string answerField) =>
        TryParse(answerField, out var gold) ? gold : throw new FormatException($"no '#### <number>' in GSM8K answer: {Shorten(answerField)}");

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    /// <param name="answerField">The <c>answer</c> field of a GSM8K record.</param>
    /// <param name="gold">The canonical number on success; empty otherwise.</param>
    public static bool TryParse(string? answerField, out string gold)
    {
        gold = "";
        if (answerField is null)
            return false;
        var marker = answerField.LastIndexOf(Marker, StringComparison.Ordinal);
        if (marker < 0)
            return false;
        var raw = answerField[(marker + Marker.Length)..].Trim();
        var newline = raw.IndexOf('\n');
        if (newline >= 0)
            raw = raw[..newline].Trim();
        var cleaned = raw.Replace(",", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).TrimEnd('.');
        if (!decimal.TryParse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return false;
        // Canonical text: "18.00" -> "18", "-3.50" -> "-3.5"; decimal keeps every digit exactly.
        gold = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return true;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[^80..];
}
