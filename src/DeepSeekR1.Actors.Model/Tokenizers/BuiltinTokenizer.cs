using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// The tokenizer of the built-in tasks: a small byte-level BPE (any text round-trips, Chinese and
/// code included) trained by <see cref="BpeTrainer"/> on <see cref="BuiltinCorpus"/>. Every digit is
/// its own token, as in Llama 3 and Qwen, so the model sees numbers digit by digit; the reasoning
/// tags are single tokens; <c>&lt;|pad|&gt;</c> is id 0.
/// </summary>
/// <remarks>
/// It is stored as an ordinary Hugging Face tokenizer.json (merges in the [left, right] form) and
/// loaded by <see cref="HuggingFaceTokenizer"/>, so there is one encoder to trust and the file also
/// opens in Python's <c>tokenizers</c>.
/// </remarks>
public sealed class BuiltinTokenizer : IPolicyTokenizer
{
    /// <summary>Padding token, id 0 so zero-filled tensors are padding.</summary>
    public const string PadToken = "<|pad|>";

    /// <summary>Beginning-of-sequence token.</summary>
    public const string BosToken = "<|bos|>";

    /// <summary>End-of-sequence token.</summary>
    public const string EosToken = "<|eos|>";

    /// <summary>Vocabulary size of the committed tokenizer.</summary>
    public const int DefaultVocabSize = 640;

    /// <summary>Corpus seed of the committed tokenizer.</summary>
    public const int DefaultSeed = 20250122;

    /// <summary>Corpus size (documents) used by <see cref="Train"/>.</summary>
    public const int CorpusDocuments = 3000;

    /// <summary>Manifest name under which the committed tokenizer.json is embedded in this assembly.</summary>
    public const string ResourceName = "DeepSeekR1.Actors.Model.Tokenizers.Builtin.tokenizer.json";

    /// <summary>
    /// Qwen2.5's pre-tokenizer pattern: letters with one leading non-letter, each digit alone (\p{N}
    /// without a repeat), punctuation runs, newlines, whitespace.
    /// </summary>
    public const string PreTokenizerPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The reasoning tags, each one token.</summary>
    public static IReadOnlyList<string> ReasoningTags { get; } = ["<think>", "</think>", "<answer>", "</answer>"];

    private static readonly SpecialTokenNames Names = new(EosToken, BosToken, PadToken);

    private readonly HuggingFaceTokenizer _tokenizer;
    private readonly string _json;

    private BuiltinTokenizer(string json, string sourceName)
    {
        _json = json;
        _tokenizer = HuggingFaceTokenizer.FromJson(json, sourceName, Names);
    }

    /// <inheritdoc />
    public string Name => "builtin";

    /// <inheritdoc />
    public int VocabSize => _tokenizer.VocabSize;

    /// <inheritdoc />
    public int EosId => _tokenizer.EosId;

    /// <inheritdoc />
    public int PadId => _tokenizer.PadId;

    /// <inheritdoc />
    public int? BosId => _tokenizer.BosId;

    /// <summary>Trains a fresh tokenizer with at most <paramref name="vocabSize"/> ids on the corpus of <paramref name="seed"/>.</summary>
    /// <remarks>Deterministic: the same arguments give the same tokenizer.json, byte for byte.</remarks>
    public static BuiltinTokenizer Train(int vocabSize = DefaultVocabSize, int seed = DefaultSeed)
    {
        string[] added = [PadToken, BosToken, EosToken, .. ReasoningTags];
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, added.Length + 256);

        JsonObject preTokenizer = PreTokenizerJson();
        var pieceCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var splitter = new AddedTokenSplitter(added.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i));
        using (JsonDocument preTokenizerDocument = JsonDocument.Parse(preTokenizer.ToJsonString()))
        {
            // Train on exactly the pieces the encoder will see: same splitter, same pre-tokenizer.
            var pre = HfPreTokenizer.Parse(preTokenizerDocument.RootElement, new JsonSource("builtin pre_tokenizer"));
            foreach (string document in BuiltinCorpus.Generate(seed, CorpusDocuments))
            {
                foreach ((string text, int? addedId) in splitter.Split(document))
                {
                    if (addedId is not null)
                    {
                        continue;
                    }
                    foreach (string piece in pre.PreTokenize(text))
                    {
                        pieceCounts[piece] = pieceCounts.GetValueOrDefault(piece) + 1;
                    }
                }
            }
        }

        BpeTrainingResult trained = new BpeTrainer().Train(pieceCounts, vocabSize - added.Length);
        return new BuiltinTokenizer(ToTokenizerJson(added, trained, preTokenizer), $"builtin (trained, seed {seed})");
    }

    /// <summary>Loads the tokenizer.json in <paramref name="directory"/>.</summary>
    public static BuiltinTokenizer Load(string directory)
    {
        string path = Path.Combine(directory, "tokenizer.json");
        return new BuiltinTokenizer(File.ReadAllText(path), path);
    }

    /// <summary>Loads a built-in tokenizer.json from a stream.</summary>
    public static BuiltinTokenizer Load(Stream tokenizerJson, string sourceName = "builtin tokenizer.json")
    {
        using var reader = new StreamReader(tokenizerJson, leaveOpen: true);
        return new BuiltinTokenizer(reader.ReadToEnd(), sourceName);
    }

    /// <summary>Loads the committed tokenizer embedded in this assembly as <see cref="ResourceName"/>.</summary>
    public static BuiltinTokenizer LoadEmbedded()
    {
        using Stream stream = typeof(BuiltinTokenizer).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"Resource '{ResourceName}' is not embedded in {typeof(BuiltinTokenizer).Assembly.GetName().Name}; " +
                "build it with `r1 tokenizer build-builtin` and embed Tokenizers/Builtin/tokenizer.json.");
        return Load(stream, ResourceName);
    }

    /// <summary>The tokenizer as tokenizer.json text.</summary>
    public string ToJson() => _json;

    /// <summary>Writes tokenizer.json and tokenizer_config.json (names of EOS, BOS, PAD) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), _json);
        var config = new JsonObject
        {
            ["bos_token"] = BosToken,
            ["eos_token"] = EosToken,
            ["pad_token"] = PadToken,
            ["add_bos_token"] = false,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), Serialize(config));
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => _tokenizer.Encode(text);

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) => _tokenizer.Decode(ids, skipSpecialTokens);

    /// <inheritdoc />
    public int? TokenToId(string token) => _tokenizer.TokenToId(token);

    private static JsonObject PreTokenizerJson() => new()
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "Split",
                ["pattern"] = new JsonObject { ["Regex"] = PreTokenizerPattern },
                ["behavior"] = "Isolated",
                ["invert"] = false,
            },
            ByteLevelJson()),
    };

    private static JsonObject ByteLevelJson() => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = false,
        ["trim_offsets"] = false,
        ["use_regex"] = false,
    };

    // Added tokens take ids 0..6 (pad first); the byte alphabet and merged tokens follow.
    private static string ToTokenizerJson(string[] added, BpeTrainingResult trained, JsonObject preTokenizer)
    {
        var addedTokens = new JsonArray();
        for (int id = 0; id < added.Length; id++)
        {
            addedTokens.Add(new JsonObject
            {
                ["id"] = id,
                ["content"] = added[id],
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                // The tags are vocabulary the model writes and the reward reads: never skipped on decode.
                ["special"] = !ReasoningTags.Contains(added[id]),
            });
        }
        var vocab = new JsonObject();
        for (int i = 0; i < trained.Tokens.Count; i++)
        {
            vocab[trained.Tokens[i]] = added.Length + i;
        }
        var merges = new JsonArray([.. trained.Merges.Select(m => (JsonNode)new JsonArray(m.Left, m.Right))]);

        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = addedTokens,
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = null,
            ["decoder"] = ByteLevelJson(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
        return Serialize(root);
    }

    // Relaxed escaping keeps byte-level tokens ('Ġthe') readable in the committed file.
    private static string Serialize(JsonNode node) => node.ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }) + "\n";
}
