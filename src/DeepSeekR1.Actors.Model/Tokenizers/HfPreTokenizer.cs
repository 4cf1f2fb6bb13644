using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// The <c>pre_tokenizer</c> section of a Hugging Face tokenizer.json, rebuilt as a list of steps:
/// <c>Sequence</c>, <c>Split</c> (regex or literal), <c>ByteLevel</c> and <c>Digits</c>. That covers
/// GPT-2, Llama 3, Qwen2.5 and DeepSeek V3/R1 (and its distilled models).
/// </summary>
internal sealed class HfPreTokenizer
{
    private readonly IReadOnlyList<PreTokenizerStep> _steps;

    private HfPreTokenizer(IReadOnlyList<PreTokenizerStep> steps, bool hasByteLevel)
    {
        _steps = steps;
        HasByteLevel = hasByteLevel;
    }

    /// <summary>True when a <c>ByteLevel</c> step is present, i.e. the model is a byte-level BPE.</summary>
    public bool HasByteLevel { get; }

    /// <summary>Splits text (already free of added tokens) into the pieces BPE encodes one by one.</summary>
    public IEnumerable<string> PreTokenize(string text)
    {
        IEnumerable<string> pieces = [text];
        foreach (PreTokenizerStep step in _steps)
        {
            PreTokenizerStep current = step;
            pieces = pieces.SelectMany(current.Split);
        }
        return pieces.Where(p => p.Length > 0);
    }

    /// <summary>Builds the pre-tokenizer from the JSON element (null: no pre-tokenization).</summary>
    public static HfPreTokenizer Parse(JsonElement? element, JsonSource source)
    {
        var steps = new List<PreTokenizerStep>();
        if (element is JsonElement e)
        {
            AddSteps(e, "pre_tokenizer", source, steps);
        }
        return new HfPreTokenizer(steps, steps.Any(s => s is ByteLevelStep));
    }

    private static void AddSteps(JsonElement element, string path, JsonSource source, List<PreTokenizerStep> steps)
    {
        string type = source.RequiredString(element, "type", path);
        switch (type)
        {
            case "Sequence":
                JsonElement children = source.Required(element, "pretokenizers", path, JsonValueKind.Array);
                int index = 0;
                foreach (JsonElement child in children.EnumerateArray())
                {
                    AddSteps(child, $"{path}.pretokenizers[{index++}]", source, steps);
                }
                break;
            case "Split":
                steps.Add(ParseSplit(element, path, source));
                break;
            case "ByteLevel":
                steps.Add(new ByteLevelStep(
                    source.OptionalBool(element, "add_prefix_space", path, fallback: true),
                    source.OptionalBool(element, "use_regex", path, fallback: true)));
                break;
            case "Digits":
                steps.Add(new DigitsStep(source.OptionalBool(element, "individual_digits", path, fallback: false)));
                break;
            default:
                throw source.Error(JsonSource.Join(path, "type"),
                    $"is '{type}', which this loader does not support (supported: Sequence, Split, ByteLevel, Digits)");
        }
    }

    private static SplitStep ParseSplit(JsonElement element, string path, JsonSource source)
    {
        string patternPath = JsonSource.Join(path, "pattern");
        JsonElement pattern = source.Required(element, "pattern", path, JsonValueKind.Object);
        Regex regex;
        if (source.Optional(pattern, "Regex", patternPath, JsonValueKind.String) is JsonElement regexText)
        {
            try
            {
                // HF compiles these with Oniguruma; .NET's backtracking engine reads the same syntax
                // (\p{L}, (?i:...), lookahead) with the same leftmost-first alternation.
                regex = new Regex(regexText.GetString()!, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw source.Error(JsonSource.Join(patternPath, "Regex"), $"is not a valid regular expression: {e.Message}", e);
            }
        }
        else if (source.Optional(pattern, "String", patternPath, JsonValueKind.String) is JsonElement literal)
        {
            regex = new Regex(Regex.Escape(literal.GetString()!), RegexOptions.CultureInvariant);
        }
        else
        {
            throw source.Error(patternPath, "must hold a 'Regex' or a 'String'");
        }

        string behaviorText = source.RequiredString(element, "behavior", path);
        if (!Enum.TryParse(behaviorText, ignoreCase: false, out SplitBehavior behavior))
        {
            throw source.Error(JsonSource.Join(path, "behavior"), $"is '{behaviorText}', not one of {string.Join(", ", Enum.GetNames<SplitBehavior>())}");
        }
        return new SplitStep(regex, behavior, source.OptionalBool(element, "invert", path, fallback: false));
    }
}
