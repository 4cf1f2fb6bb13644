using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// How a checkpoint is evaluated (HOCON section <c>r1.eval</c>). The sampling defaults are the paper's evaluation
/// settings: temperature 0.6 and top-p 0.95, several samples per question for pass@1 and cons@K.
/// </summary>
public sealed record EvalSettings
{
    /// <summary>K: completions sampled per question (pass@1 averages over them; cons@K votes with them).</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Softmax temperature of the samples.</summary>
    public double Temperature { get; init; } = 0.6;

    /// <summary>Nucleus sampling mass.</summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>Most tokens per completion, the stop token included.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>
    /// Questions evaluated: the first <c>limit</c> of the split; 0 means all of them, which only file-backed tasks
    /// have (a generated task's test split never ends).
    /// </summary>
    public int Limit { get; init; } = 200;

    /// <summary>Completions generated together in one batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The task to evaluate on (a name of <see cref="TaskCatalog"/>).</summary>
    public string Task { get; init; } = TaskCatalog.Arithmetic;

    /// <summary>For file-backed tasks (gsm8k, jsonl): the dataset folder or JSONL file; empty for generated tasks.</summary>
    public string Data { get; init; } = "";

    /// <summary>The split evaluated; the held-out test split unless you mean to measure fit to the training data.</summary>
    public TaskSplit Split { get; init; } = TaskSplit.Test;

    /// <summary>Seed of the generated questions and of every sample: the same seed gives the same report.</summary>
    public ulong Seed { get; init; } = 1234;

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
    public SamplingOptions Sampling(IReadOnlyList<int> stopTokenIds) => new()
    {
        MaxNewTokens = MaxNewTokens,
        Temperature = Temperature,
        TopP = TopP,
        StopTokenIds = stopTokenIds,
    };
}
