using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// A byte-level BPE tokenizer read from a Hugging Face <c>tokenizer.json</c> (the format of Qwen2.5,
/// DeepSeek-R1 and its distilled models, Llama 3, GPT-2), encoding the way the <c>tokenizers</c>
/// library does: added tokens are cut out of the raw text first, the rest is normalized,
/// pre-tokenized, mapped to bytes and merged by a <see cref="BpeTokenizer"/>.
/// </summary>
/// <remarks>
/// Not applied, on purpose: the <c>post_processor</c> (it would silently prepend BOS; templates write
/// BOS explicitly instead) and the <c>lstrip</c>/<c>rstrip</c>/<c>single_word</c> flags of added
/// tokens (false in all the models above).
/// </remarks>
public sealed class HuggingFaceTokenizer : IPolicyTokenizer
{
    // End-of-sequence tokens of well-known families, tried when no tokenizer_config.json names one.
    private static readonly string[] KnownEosTokens =
        ["<|endoftext|>", "<|end_of_text|>", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>", "</s>", "<|eos|>"];

    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, int> _vocab;
    private readonly bool _ignoreMerges;
    private readonly HfNormalizer _normalizer;
    private readonly HfPreTokenizer _preTokenizer;
    private readonly AddedTokenSplitter _addedTokens;
    private readonly Dictionary<string, int> _addedIdByContent;
    private readonly Dictionary<int, (string Content, bool Special)> _addedById;

    private HuggingFaceTokenizer(string name, JsonElement root, JsonSource source, SpecialTokenNames names)
    {
        Name = name;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw source.Error("(document)", "must be a JSON object");
        }
        JsonElement model = source.Required(root, "model", "", JsonValueKind.Object);
        CheckModelIsByteLevelBpe(model, source);
        _ignoreMerges = source.OptionalBool(model, "ignore_merges", "model", fallback: false);
        _vocab = ReadVocab(model, source);
        List<string> merges = ReadMerges(model, source, _vocab);

        _addedById = ReadAddedTokens(root, source);
        _addedIdByContent = _addedById.ToDictionary(kv => kv.Value.Content, kv => kv.Key, StringComparer.Ordinal);
        _addedTokens = new AddedTokenSplitter(_addedIdByContent);
        _normalizer = HfNormalizer.Parse(source.Optional(root, "normalizer", "", JsonValueKind.Object), source);
        _preTokenizer = HfPreTokenizer.Parse(source.Optional(root, "pre_tokenizer", "", JsonValueKind.Object), source);
        if (!_preTokenizer.HasByteLevel)
        {
            throw source.Error("pre_tokenizer", "has no ByteLevel step; only byte-level BPE tokenizers are supported");
        }

        _bpe = BpeTokenizer.Create(new BpeOptions(_vocab) { Merges = merges, ByteLevel = true });

        VocabSize = Math.Max(_vocab.Values.DefaultIfEmpty(-1).Max(), _addedById.Keys.DefaultIfEmpty(-1).Max()) + 1;
        EosId = ResolveEos(names.Eos, source);
        BosId = names.Bos is null ? null : Resolve(names.Bos, "bos_token", source);
        PadId = names.Pad is null ? EosId : Resolve(names.Pad, "pad_token", source);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public int EosId { get; }

    /// <inheritdoc />
    public int PadId { get; }

    /// <inheritdoc />
    public int? BosId { get; }

    /// <summary>Loads <c>tokenizer.json</c> (and <c>tokenizer_config.json</c> when present) from a model directory.</summary>
    public static HuggingFaceTokenizer FromDirectory(string directory) =>
        FromFile(Path.Combine(directory, "tokenizer.json"));

    /// <summary>Loads a tokenizer.json; a tokenizer_config.json next to it supplies the EOS/BOS/PAD names.</summary>
    public static HuggingFaceTokenizer FromFile(string tokenizerJsonPath)
    {
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))!, "tokenizer_config.json");
        SpecialTokenNames names = File.Exists(configPath) ? SpecialTokenNames.FromConfigFile(configPath) : SpecialTokenNames.None;
        return FromJson(File.ReadAllText(tokenizerJsonPath), tokenizerJsonPath, names);
    }

    /// <summary>Loads a tokenizer.json from a stream; <paramref name="sourceName"/> appears in error messages.</summary>
    public static HuggingFaceTokenizer FromStream(Stream stream, string sourceName, SpecialTokenNames? names = null)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return FromJson(reader.ReadToEnd(), sourceName, names);
    }

    /// <summary>Loads a tokenizer.json given as text; <paramref name="sourceName"/> appears in error messages.</summary>
    public static HuggingFaceTokenizer FromJson(string json, string sourceName, SpecialTokenNames? names = null)
    {
        var source = new JsonSource(sourceName);
        using JsonDocument document = source.Parse(json);
        return new HuggingFaceTokenizer(sourceName, document.RootElement, source, names ?? SpecialTokenNames.None);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach ((string segment, int? addedId) in _addedTokens.Split(text))
        {
            if (addedId is int id)
            {
                ids.Add(id);
                continue;
            }
            foreach (string piece in _preTokenizer.PreTokenize(_normalizer.Normalize(segment)))
            {
                // Llama 3's "ignore_merges": a piece that is itself a vocabulary entry is taken whole,
                // as tiktoken does, even where the merge order would have split it differently.
                if (_ignoreMerges && _vocab.TryGetValue(ByteLevelAlphabet.Encode(piece), out int whole))
                {
                    ids.Add(whole);
                    continue;
                }
                ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
            }
        }
        return ids;
    }

    /// <inheritdoc />
    /// <remarks>Ids outside the vocabulary (padding rows of an embedding table) decode to nothing.</remarks>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (!_addedById.TryGetValue(id, out (string Content, bool Special) added))
            {
                run.Add(id);
                continue;
            }
            // Byte runs are decoded together so a character split over several tokens is rebuilt whole.
            FlushRun();
            if (!(skipSpecialTokens && added.Special))
            {
                text.Append(added.Content);
            }
        }
        FlushRun();
        return text.ToString();

        void FlushRun()
        {
            if (run.Count > 0)
            {
                text.Append(_bpe.Decode(run));
                run.Clear();
            }
        }
    }

    /// <inheritdoc />
    public int? TokenToId(string token)
    {
        if (_addedIdByContent.TryGetValue(token, out int added))
        {
            return added;
        }
        return _vocab.TryGetValue(ByteLevelAlphabet.Encode(token), out int id) ? id : null;
    }

    private static void CheckModelIsByteLevelBpe(JsonElement model, JsonSource source)
    {
        if (source.Optional(model, "type", "model", JsonValueKind.String) is JsonElement type && type.GetString() != "BPE")
        {
            throw source.Error("model.type", $"is '{type.GetString()}'; only BPE models are supported");
        }
        if (source.OptionalBool(model, "byte_fallback", "model", fallback: false))
        {
            throw source.Error("model.byte_fallback", "is true (a SentencePiece-style model); only byte-level BPE is supported");
        }
        foreach (string key in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (source.Optional(model, key, "model", JsonValueKind.String) is JsonElement affix && affix.GetString()!.Length > 0)
            {
                throw source.Error(JsonSource.Join("model", key), "is set; byte-level BPE uses no word affixes");
            }
        }
    }

    private static Dictionary<string, int> ReadVocab(JsonElement model, JsonSource source)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in source.Required(model, "vocab", "model", JsonValueKind.Object).EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw source.Error($"model.vocab[\"{entry.Name}\"]", $"must be a non-negative integer id but is {entry.Value.GetRawText()}");
            }
            vocab[entry.Name] = id;
        }
        if (vocab.Count == 0)
        {
            throw source.Error("model.vocab", "is empty");
        }
        return vocab;
    }

    // Merges come as "left right" strings (older files) or as [left, right] arrays (tokenizers >= 0.20).
    private static List<string> ReadMerges(JsonElement model, JsonSource source, IReadOnlyDictionary<string, int> vocab)
    {
        var merges = new List<string>();
        int index = 0;
        foreach (JsonElement entry in source.Required(model, "merges", "model", JsonValueKind.Array).EnumerateArray())
        {
            string path = $"model.merges[{index++}]";
            string[] parts = entry.ValueKind switch
            {
                JsonValueKind.String => entry.GetString()!.Split(' '),
                JsonValueKind.Array when entry.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String) =>
                    entry.EnumerateArray().Select(p => p.GetString()!).ToArray(),
                _ => throw source.Error(path, $"must be a \"left right\" string or a [left, right] array but is {entry.GetRawText()}"),
            };
            if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p.Contains(' ')))
            {
                throw source.Error(path, $"must name exactly two non-empty tokens without spaces but is {entry.GetRawText()}");
            }
            foreach (string token in new[] { parts[0], parts[1], parts[0] + parts[1] })
            {
                if (!vocab.ContainsKey(token))
                {
                    throw source.Error(path, $"uses token '{token}', which is not in model.vocab");
                }
            }
            merges.Add($"{parts[0]} {parts[1]}");
        }
        return merges;
    }

    private static Dictionary<int, (string Content, bool Special)> ReadAddedTokens(JsonElement root, JsonSource source)
    {
        var added = new Dictionary<int, (string, bool)>();
        if (source.Optional(root, "added_tokens", "", JsonValueKind.Array) is not JsonElement list)
        {
            return added;
        }
        int index = 0;
        foreach (JsonElement token in list.EnumerateArray())
        {
            string path = $"added_tokens[{index++}]";
            int id = source.RequiredInt(token, "id", path);
            string content = source.RequiredString(token, "content", path);
            if (content.Length == 0)
            {
                throw source.Error(JsonSource.Join(path, "content"), "is empty");
            }
            added[id] = (content, source.OptionalBool(token, "special", path, fallback: false));
        }
        return added;
    }

    private int ResolveEos(string? name, JsonSource source)
    {
        if (name is not null)
        {
            return Resolve(name, "eos_token", source);
        }
        foreach (string candidate in KnownEosTokens)
        {
            if (TokenToId(candidate) is int id)
            {
                return id;
            }
        }
        throw source.Error("eos_token", "is not given (no tokenizer_config.json) and no well-known end-of-sequence token is in the vocabulary");
    }

    private int Resolve(string token, string key, JsonSource source) =>
        TokenToId(token) ?? throw source.Error(key, $"names '{token}', which is neither an added token nor in model.vocab");
}
