using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Configuration;

/// <summary>A configuration problem, with the key (and file, where known) that caused it.</summary>
public sealed partial class ConfigException(string message) : Exception(WithoutParameterName(message))
{
    /// <summary>
    /// <paramref name="message"/> without the " (Parameter 'steps')" that .NET appends to an ArgumentException's message:
    /// the key is already named in the text, and the suffix reads as a leak of the implementation.
    /// </summary>
    public static string WithoutParameterName(string message) => ParameterSuffix().Replace(message, "");

    [GeneratedRegex(@" \(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();
}
