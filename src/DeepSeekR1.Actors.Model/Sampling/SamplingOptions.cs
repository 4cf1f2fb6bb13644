using DeepSeekR1.Actors.Configuration;
namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>How a rollout is sampled.</summary>
public sealed record SamplingOptions
{
    /// <summary>The shipped defaults (<c>r1.sampling</c> in hocon/), the only place they live.</summary>
    public static SamplingOptions Defaults => ShippedDefaults.Bind<SamplingOptions>("r1.sampling");

    /// <summary>Most tokens generated per completion (the stop token included).</summary>
    public required int MaxNewTokens { get; init; }

    /// <summary>Softmax temperature; 0 means greedy decoding. R1's RL used 1.0, its evaluation 0.6.</summary>
    public required double Temperature { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this mass (1 = off).</summary>
    public required double TopP { get; init; }

    /// <summary>Keep only the k most likely tokens (0 = off).</summary>
    public required int TopK { get; init; }

    /// <summary>Token ids that end a completion (EOS, end-of-turn markers).</summary>
    public required IReadOnlyList<int> StopTokenIds { get; init; }

    /// <summary>
    /// What the KV cache stores keys and values as. <see cref="KvCacheDtype.Model"/> (the default) keeps the model's
    /// dtype, so decoding gives the logits of a full recompute. <see cref="KvCacheDtype.Bfloat16"/> halves the bytes
    /// that every decoding step reads, at the price of keys and values rounded to 8 significant bits: the sampled
    /// tokens' log-probabilities then differ slightly from what the learner recomputes (docs/generation.md).
    /// </summary>
    public required KvCacheDtype KvCacheDtype { get; init; }

    /// <summary>
    /// Keep the KV cache's memory between generations, in the model's <see cref="Policy.PolicyModel.KvCacheArena"/>, so
    /// that a sampler's next batch does not map, fault in and zero it all again (docs/generation.md). The memory
    /// (the largest cache so far) stays allocated until the model is disposed or the arena released.
    /// </summary>
    public required bool KeepKvCache { get; init; }

    /// <summary>
    /// Speculative decoding (<see cref="SpeculativeGenerator"/>): <see cref="SpeculativeDecoding.Mtp"/> drafts each
    /// next-next token with the model's multi-token prediction module and verifies it in the main model's next step.
    /// Greedy decoding gives the same tokens as without; sampling keeps the same distribution (speculative sampling's
    /// acceptance rule), though not the same token stream for a seed. Off by default (docs/generation.md).
    /// </summary>
    public required SpeculativeDecoding Speculative { get; init; }

    /// <summary>Checks the options and names the first bad one.</summary>
    public SamplingOptions Validate()
    {
        // Written so that NaN fails each check (NaN compares false with everything).
        if (MaxNewTokens <= 0) throw new ArgumentException("sampling: max-new-tokens must be positive", nameof(MaxNewTokens));
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"sampling: temperature must be a finite number >= 0, not {Temperature}", nameof(Temperature));
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"sampling: top-p must be in (0, 1], not {TopP}", nameof(TopP));
        if (TopK < 0) throw new ArgumentException("sampling: top-k must not be negative", nameof(TopK));
        return this;
    }
}

/// <summary>What a generation's KV cache holds (HOCON <c>r1.sampling.kv-cache-dtype</c>).</summary>
public enum KvCacheDtype
{
    /// <summary>The model's own dtype.</summary>
    Model,

    /// <summary>bfloat16 keys and values, whatever the model's dtype.</summary>
    Bfloat16,
}

/// <summary>Whether generation drafts tokens to verify (HOCON <c>r1.sampling.speculative</c>).</summary>
public enum SpeculativeDecoding
{
    /// <summary>One main-model step per token.</summary>
    Off,

    /// <summary>Self-speculative decoding with the first multi-token prediction module as the drafter.</summary>
    Mtp,
}

/// <summary>One prompt to complete, with the seed of its own random stream.</summary>
/// <param name="PromptIds">The prompt's token ids (at least one).</param>
/// <param name="Seed">Seed of this completion's draws; derive it from (run seed, step, group, sample) for resumable runs.</param>
public sealed record GenerationRequest(IReadOnlyList<int> PromptIds, ulong Seed);

/// <summary>Why a completion ended.</summary>
public enum FinishReason
{
    /// <summary>A stop token was sampled (it is the last token of the completion).</summary>
    Stop,

    /// <summary>The completion reached <see cref="SamplingOptions.MaxNewTokens"/>.</summary>
    Length,
}

/// <summary>A sampled completion.</summary>
/// <param name="TokenIds">The sampled tokens, in order.</param>
/// <param name="LogProbs">
/// For each sampled token, its log-probability under the sampling policy at the sampling temperature
/// (log softmax(logits / T), before top-k/top-p truncation): the pi_old that GRPO's ratio divides by, computed the same
/// way the learner recomputes it. Greedy decoding reports T = 1.
/// </param>
/// <param name="Finish">Why it ended.</param>
public sealed record GenerationResult(IReadOnlyList<int> TokenIds, IReadOnlyList<float> LogProbs, FinishReason Finish);
