using DeepSeekR1.Actors.Engine.Pbm;
using RadLine;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// What Tab offers in the pbm shell, from what the host said it serves: the shell's own words and the palettes first,
/// then the chosen palette's commands, then that command's options not given yet (as <c>--name</c>).
/// </summary>
/// <param name="palettes">The host's palettes, from discovery.</param>
public sealed class PbmCompletion(IReadOnlyList<PbmPaletteInfo> palettes) : ITextCompletion
{
    /// <summary>Words the shell itself understands at the start of a line.</summary>
    public static readonly IReadOnlyList<string> ShellWords = ["help", "history", "clear", "exit"];

    /// <inheritdoc />
    public IEnumerable<string> GetCompletions(string prefix, string word, string suffix) => For(prefix);

    /// <summary>
    /// The candidates for the word after <paramref name="prefix"/> (the line up to that word). The editor picks those
    /// that start with what is typed and cycles through them on repeated Tabs.
    /// </summary>
    public IReadOnlyList<string> For(string prefix)
    {
        var words = prefix.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return [.. ShellWords, .. palettes.Select(p => p.Name)];
        if (words[0] == "help") return words.Length == 1 ? [.. palettes.Select(p => p.Name)] : [];
        var palette = palettes.FirstOrDefault(p => p.Name == words[0]);
        if (palette is null) return [];
        if (words.Length == 1) return [.. palette.Commands.Select(c => c.Name)];
        var command = palette.Commands.FirstOrDefault(c => c.Name == words[1]);
        if (command is null) return [];
        var given = words.Skip(2).Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(w => w[2..]).ToHashSet();
        // After an option that takes a value, the next word is that value: nothing to offer.
        var last = words[^1];
        if (words.Length > 2 && last.StartsWith("--", StringComparison.Ordinal) && command.Options.FirstOrDefault(o => o.Name == last[2..]) is { Flag: false }) return [];
        return [.. command.Options.Where(o => !given.Contains(o.Name)).Select(o => "--" + o.Name)];
    }
}
