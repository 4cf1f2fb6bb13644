using System.CommandLine;
using System.Globalization;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// A command-line shortcut for one configuration key (<c>--lr 3e-5</c> is <c>--set r1.grpo.learning-rate=3e-5</c>):
/// the option's help names the key, and its value goes through the same HOCON reader as <c>--set</c>, so a bad value
/// is reported with the key's name. An explicit <c>--set</c> of the same key still wins (it is applied later).
/// </summary>
public sealed class KeyOption<T>(string name, string key, string what) : IKeyOption
{
    /// <summary>The option as the parser sees it.</summary>
    public Option<T?> Option { get; } = new(name) { Description = $"{what} ({key})" };

    /// <summary>The configuration key it sets.</summary>
    public string Key => key;

    Option IKeyOption.Option => Option;

    /// <summary>The <c>key=value</c> override for <paramref name="parse"/>, or null when the option was not given.</summary>
    public string? Override(ParseResult parse) => parse.GetValue(Option) is { } value ? $"{key}={Format(value)}" : null;

    // Strings are quoted for HOCON (a path or a task spec like "math:data/x.jsonl" holds characters HOCON would split on).
    private static string Format(object value) => value switch
    {
        string s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>What every <see cref="KeyOption{T}"/> offers, whatever its value type.</summary>
public interface IKeyOption
{
    /// <summary>The option as the parser sees it.</summary>
    Option Option { get; }
    /// <summary>The configuration key it sets.</summary>
    string Key { get; }
    /// <summary>The <c>key=value</c> override, or null when the option was not given.</summary>
    string? Override(ParseResult parse);
}
