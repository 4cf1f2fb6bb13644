using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// How a checkpoint is evaluated (HOCON section <c>r1.eval</c>). The sampling defaults are the paper's evaluation
/// settings: temperature 0.6 and top-p 0.95, several samples per question for pass@1 and cons@K.
/// </summary>
public sealed record EvalSettings
{
    /// <summary>The shipped defaults (<c>r1.eval</c> in hocon/), the only place they live.</summary>
    public static EvalSettings Defaults => ShippedDefaults.Bind<EvalSettings>("r1.eval");

    /// <summary>K: completions sampled per question (pass@1 averages over them; cons@K votes with them).</summary>
    public required int Samples { get; init; }

    /// <summary>Softmax temperature of the samples.</summary>
    public required double Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    public required double TopP { get; init; }

    /// <summary>Most tokens per completion, the stop token included.</summary>
    public required int MaxNewTokens { get; init; }

    /// <summary>
    /// Questions evaluated: the first <c>limit</c> of the split; 0 means all of them, which only file-backed tasks
    /// have (a generated task's test split never ends).
    /// </summary>
    public required int Limit { get; init; }

    /// <summary>Completions generated together in one batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The task to evaluate on (a name of <see cref="TaskCatalog"/>).</summary>
    public required string Task { get; init; }

    /// <summary>For file-backed tasks (gsm8k, jsonl): the dataset folder or JSONL file; empty for generated tasks.</summary>
    public required string Data { get; init; }

    /// <summary>The split evaluated; the held-out test split unless you mean to measure fit to the training data.</summary>
    public required TaskSplit Split { get; init; }

    /// <summary>Seed of the generated questions and of every sample: the same seed gives the same report.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Checks the settings and names the first bad one (the parameter name is its HOCON key).</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public EvalSettings Validate()
    {
        if (Samples < 1) throw new ArgumentException("must be at least 1", "samples");
        if (Temperature < 0) throw new ArgumentException("must not be negative", "temperature");
        if (TopP is <= 0 or > 1) throw new ArgumentException("must be in (0, 1]", "top-p");
        if (MaxNewTokens < 1) throw new ArgumentException("must be at least 1", "max-new-tokens");
        if (Limit < 0) throw new ArgumentException("must not be negative (0 = every question)", "limit");
        if (BatchSize < 1) throw new ArgumentException("must be at least 1", "batch-size");
        if (string.IsNullOrWhiteSpace(Task)) throw new ArgumentException("must name a task", "task");
        return this;
    }

    /// <summary>The sampling options of these settings, stopping at <paramref name="stopTokenIds"/>.</summary>
    /// <param name="stopTokenIds">Token ids that end a completion (the tokenizer's EOS).</param>
    /// <returns>The options.</returns>
    public SamplingOptions Sampling(IReadOnlyList<int> stopTokenIds) => SamplingOptions.Defaults with
    {
        MaxNewTokens = MaxNewTokens,
        Temperature = Temperature,
        TopP = TopP,
        // The paper's evaluation samples with temperature and nucleus only.
        TopK = 0,
        StopTokenIds = stopTokenIds,
    };
}
