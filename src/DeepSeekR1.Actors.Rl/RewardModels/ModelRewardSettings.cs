using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// Which prompts the reward models score and how their scores add up (HOCON section <c>r1.rewards.models</c>; defaults
/// and comments in <c>hocon/grpo.conf</c>, the only place they live). DeepSeek-R1's alignment stage: rule rewards for
/// reasoning prompts (math, Countdown, code), a helpfulness and a point-wise safety reward model for general ones
/// (docs/reward-models.md, "Scoring general prompts in RL").
/// </summary>
public sealed record ModelRewardSettings
{
    /// <summary>The HOCON section.</summary>
    public const string Section = "r1.rewards.models";

    /// <summary>The shipped defaults.</summary>
    public static ModelRewardSettings Defaults => ShippedDefaults.Bind<ModelRewardSettings>(Section);

    /// <summary>Prompt kinds scored by the reward models instead of the rules (math, countdown, code, general).</summary>
    public required IReadOnlyList<string> Kinds { get; init; }
    /// <summary>The helpfulness reward model's checkpoint folder ("" = none).</summary>
    public required string Helpfulness { get; init; }
    /// <summary>The safety reward model's checkpoint folder ("" = none).</summary>
    public required string Safety { get; init; }
    /// <summary>Weight of the helpfulness score.</summary>
    public required double HelpfulnessWeight { get; init; }
    /// <summary>Weight of the safety score, sigmoid(logit): the model's probability that the response is safe.</summary>
    public required double SafetyWeight { get; init; }
    /// <summary>Weight of the format rule on model-scored prompts.</summary>
    public required double FormatWeight { get; init; }
    /// <summary>Reward-model entities per model in the actor engine.</summary>
    public required int Shards { get; init; }
    /// <summary>Most turns one forward pass scores.</summary>
    public required int BatchSize { get; init; }
    /// <summary>How long an entity waits for more requests before scoring a smaller batch.</summary>
    public required TimeSpan BatchWindow { get; init; }
    /// <summary>Longest turn in tokens.</summary>
    public required int MaxSeqLen { get; init; }
    /// <summary>How long a verifier waits for the models' scores.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The configuration name of a prompt kind (<c>math</c>, <c>countdown</c>, <c>code</c>, <c>general</c>).</summary>
    public static string KindName(AnswerKind kind) => kind switch
    {
        AnswerKind.Math => "math",
        AnswerKind.CountdownExpression => "countdown",
        AnswerKind.Code => "code",
        AnswerKind.General => "general",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no configuration name"),
    };

    /// <summary>Whether prompts of <paramref name="kind"/> are scored by the reward models.</summary>
    public bool ScoresWithModels(AnswerKind kind) => Kinds.Contains(KindName(kind), StringComparer.Ordinal);

    /// <summary>The checkpoint folder of <paramref name="kind"/>'s model ("" = none).</summary>
    public string Checkpoint(RewardModelKind kind) => kind == RewardModelKind.Helpfulness ? Helpfulness : Safety;

    /// <summary>The weight of <paramref name="kind"/>'s score.</summary>
    public double Weight(RewardModelKind kind) => kind == RewardModelKind.Helpfulness ? HelpfulnessWeight : SafetyWeight;

    /// <summary>The models whose scores count (a non-zero weight), in a fixed order.</summary>
    public IReadOnlyList<RewardModelKind> Weighted => Enum.GetValues<RewardModelKind>().Where(k => Weight(k) != 0).ToArray();

    /// <summary>The HOCON key of <paramref name="kind"/>'s checkpoint.</summary>
    public static string CheckpointKey(RewardModelKind kind) => $"{Section}.{RewardModelCheckpoint.KindName(kind)}";

    /// <summary>Checks ranges and names.</summary>
    /// <exception cref="ConfigException">A value is out of range; the message names the key.</exception>
    public ModelRewardSettings Validate()
    {
        string[] names = ["math", "countdown", "code", "general"];
        foreach (var kind in Kinds)
            if (!names.Contains(kind, StringComparer.Ordinal))
                throw new ConfigException($"{Section}.kinds: '{kind}' is not a prompt kind ({string.Join(", ", names)})");
        foreach (var (key, value) in new[] { ("helpfulness-weight", HelpfulnessWeight), ("safety-weight", SafetyWeight), ("format-weight", FormatWeight) })
            if (!double.IsFinite(value) || value < 0) throw new ConfigException($"{Section}.{key}: {value} must be a finite number >= 0");
        if (Shards <= 0) throw new ConfigException($"{Section}.shards must be positive");
        if (BatchSize <= 0) throw new ConfigException($"{Section}.batch-size must be positive");
        if (BatchWindow < TimeSpan.Zero) throw new ConfigException($"{Section}.batch-window must not be negative");
        if (MaxSeqLen < 2) throw new ConfigException($"{Section}.max-seq-len must be at least 2");
        if (Timeout <= TimeSpan.Zero) throw new ConfigException($"{Section}.timeout must be positive");
        return this;
    }

    /// <summary>
    /// Refuses to start a run of <paramref name="task"/> whose prompts the configured rewards cannot score: a task with
    /// general prompts needs <c>general</c> among the model-scored kinds and a checkpoint for every weighted model, and
    /// every configured checkpoint must be a reward model of its kind. Without this a general prompt would reach a
    /// verifier with nothing to score it and fail mid-run (never score 0 silently).
    /// </summary>
    /// <param name="task">The run's task.</param>
    /// <param name="settings">The reward-model settings; null = none configured.</param>
    /// <param name="resolve">Turns a configured path into a folder (the CLI's repository-relative lookup); identity when null.</param>
    /// <param name="tokenizer">
    /// The run's tokenizer: a checkpoint whose tokenizer.json encodes differently is refused (a model reading other ids
    /// would score silently wrong). Null skips the comparison.
    /// </param>
    /// <returns>The settings with resolved checkpoint paths when any prompt kind uses them; null when none does.</returns>
    /// <exception cref="ConfigException">What is missing or wrong, naming the key and the path.</exception>
    public static ModelRewardSettings? RequireFor(ITaskSource task, ModelRewardSettings? settings, Func<string, string>? resolve = null,
        IPolicyTokenizer? tokenizer = null)
    {
        bool general = task.HasGeneralPrompts;
        if (settings is null)
        {
            if (!general) return null;
            throw new ConfigException($"task '{task.Name}' has general prompts, which only reward models score, and no reward model is configured: " +
                $"set {CheckpointKey(RewardModelKind.Helpfulness)} (and {CheckpointKey(RewardModelKind.Safety)}) to the output of `r1 rm train`");
        }
        settings.Validate();
        if (general && !settings.ScoresWithModels(AnswerKind.General))
            throw new ConfigException($"task '{task.Name}' has general prompts and {Section}.kinds does not list general: no rule can score them");
        // A reasoning kind routed to the models may be in any task; "general" alone matters only to a task that has them.
        bool used = general || settings.Kinds.Any(k => k != "general");
        if (!used) return null;
        if (settings.Weighted.Count == 0)
            throw new ConfigException($"{Section}: helpfulness-weight and safety-weight are both 0, so general prompts would score nothing");
        resolve ??= path => path;
        var resolved = settings;
        foreach (var kind in settings.Weighted)
        {
            string key = CheckpointKey(kind), configured = settings.Checkpoint(kind);
            if (configured.Length == 0)
                throw new ConfigException($"{key} names no checkpoint, and task '{task.Name}' has prompts the reward models score " +
                    $"(train one with `r1 rm train --kind {RewardModelCheckpoint.KindName(kind)}`, or set {Section}.{RewardModelCheckpoint.KindName(kind)}-weight = 0)");
            string path = Path.GetFullPath(resolve(configured));
            RequireRewardModel(key, path, kind);
            if (tokenizer is not null) RequireSameTokenizer(key, path, tokenizer);
            resolved = kind == RewardModelKind.Helpfulness ? resolved with { Helpfulness = path } : resolved with { Safety = path };
        }
        return resolved;
    }

    // Strings whose ids tell tokenizers apart: digits, the template's tags, plain and rare words.
    private static readonly string[] TokenizerProbes =
    [
        "What is 12 + 345? <think> 5 + 2 = 7 </think> <answer>357</answer>",
        "Please reverse the word 'reasoning', then spell forty-two.",
        "I can't help with that request; here is a safer alternative.",
    ];

    // A reward model reads token ids: one trained with another tokenizer than the run's would score every turn as
    // something else, silently. The checkpoint's tokenizer.json (r1 rm train writes it) must encode the probes alike.
    private static void RequireSameTokenizer(string key, string path, IPolicyTokenizer run)
    {
        string file = Path.Combine(path, "tokenizer.json");
        if (!File.Exists(file)) return;   // nothing to compare with: the documented rule (train it from the policy) stands
        var own = HuggingFaceTokenizer.FromFile(file);
        if (own.VocabSize != run.VocabSize)
            throw new ConfigException($"{key}: '{path}' was trained with a tokenizer of {own.VocabSize} tokens, the run's has {run.VocabSize}: " +
                "train the reward model from the policy (or its base) with `r1 rm train --init`");
        foreach (string probe in TokenizerProbes)
            if (!own.Encode(probe).SequenceEqual(run.Encode(probe)))
                throw new ConfigException($"{key}: '{path}' was trained with another tokenizer than the run's ({file} encodes \"{probe}\" differently): " +
                    "train the reward model from the policy (or its base) with `r1 rm train --init`");
    }

    // The manifest alone (no tensors read): the folder exists, is a reward model, and of the kind its key says.
    private static void RequireRewardModel(string key, string path, RewardModelKind kind)
    {
        if (!Directory.Exists(path)) throw new ConfigException($"{key}: reward-model checkpoint '{path}' does not exist");
        if (!RewardModelCheckpoint.IsRewardModel(path))
            throw new ConfigException($"{key}: '{path}' is not a reward-model checkpoint (no {CheckpointManifest.FileName} naming '{RewardModelCheckpoint.KindKey}'; a policy checkpoint?)");
        string found = CheckpointManifest.Read(path).Metadata[RewardModelCheckpoint.KindKey];
        if (found != RewardModelCheckpoint.KindName(kind))
            throw new ConfigException($"{key}: '{path}' is a {found} reward model, not a {RewardModelCheckpoint.KindName(kind)} one");
    }
}
