namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>
/// What the user typed after the endpoint: <c>palette command [--name value | --name=value | --flag]...</c>. Only the
/// shape is checked here; whether the palette, command and options exist is the host's to say.
/// </summary>
/// <param name="Palette">The palette, or null when nothing was typed.</param>
/// <param name="Command">The command, or null when only a palette was typed (a request for its help).</param>
/// <param name="Options">The options by name without dashes; a flag's value is "true".</param>
public sealed record PbmInvocationLine(string? Palette, string? Command, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Parses the words of a command line.</summary>
    /// <exception cref="PbmClientException">A word in a place where none belongs.</exception>
    public static PbmInvocationLine Parse(IReadOnlyList<string> words)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                if (options.Count > 0 || positional.Count == 2)
                    throw new PbmClientException($"unexpected '{word}': a command is PALETTE COMMAND [--option value]...");
                positional.Add(word);
                continue;
            }
            string name = word[2..];
            string value;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            else if (i + 1 < words.Count && !words[i + 1].StartsWith("--", StringComparison.Ordinal)) value = words[++i];
            else value = "true";
            if (name.Length == 0) throw new PbmClientException($"'{word}' has no option name");
            options[name] = value;
        }
        return new(positional.ElementAtOrDefault(0), positional.ElementAtOrDefault(1), options);
    }

    /// <summary>Splits an interactive line into words: whitespace separates, single or double quotes group.</summary>
    /// <exception cref="PbmClientException">A quote is not closed.</exception>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (char c in line)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
            }
            else if (c is '"' or '\'') (quote, inWord) = (c, true);
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0') throw new PbmClientException($"unclosed {quote} in: {line}");
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
