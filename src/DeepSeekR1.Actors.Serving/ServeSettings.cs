using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Serving;

/// <summary>Which chat template renders a conversation into the prompt (HOCON <c>r1.serve.template</c>).</summary>
public enum ChatTemplateChoice
{
    /// <summary>Chosen from the tokenizer's special tokens.</summary>
    Auto,

    /// <summary>The R1-Zero template (the built-in base models).</summary>
    R1Zero,

    /// <summary>ChatML (Qwen2.5).</summary>
    ChatMl,

    /// <summary>DeepSeek-R1's chat format.</summary>
    DeepSeekR1,
}

/// <summary>How <c>r1 serve</c> serves (HOCON <c>r1.serve</c>).</summary>
public sealed record ServeSettings
{
    /// <summary>The shipped defaults.</summary>
    public static ServeSettings Defaults => ShippedDefaults.Bind<ServeSettings>("r1.serve");

    /// <summary>Address to bind.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port; 0 = any free port.</summary>
    public required int Port { get; init; }

    /// <summary>Bearer token required of every request; empty = none.</summary>
    public required string ApiKey { get; init; }

    /// <summary>Model id; empty = the checkpoint folder's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The chat template.</summary>
    public required ChatTemplateChoice Template { get; init; }

    /// <summary>Most requests decoded together.</summary>
    public required int MaxBatch { get; init; }

    /// <summary>How long the first queued request waits for others to join its batch.</summary>
    public required TimeSpan BatchLinger { get; init; }

    /// <summary>Largest <c>max_tokens</c> a request may ask for.</summary>
    public required int MaxTokensLimit { get; init; }

    /// <summary>Checks the settings and names the first bad one.</summary>
    public ServeSettings Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"serve: port {Port} is not in 0..65535", "port");
        if (MaxBatch < 1) throw new ArgumentException("serve: max-batch must be positive", "max-batch");
        if (BatchLinger < TimeSpan.Zero) throw new ArgumentException("serve: batch-linger must not be negative", "batch-linger");
        if (MaxTokensLimit < 1) throw new ArgumentException("serve: max-tokens-limit must be positive", "max-tokens-limit");
        if (!System.Net.IPAddress.TryParse(Host, out _)) throw new ArgumentException($"serve: host '{Host}' is not an IP address", "host");
        return this;
    }
}

/// <summary>Who reviews a keyword hit (HOCON <c>r1.risk-control.reviewer</c>).</summary>
public enum ReviewerChoice
{
    /// <summary>The safety reward model when one is configured, else the policy.</summary>
    Auto,

    /// <summary>The safety reward model (<c>safety-rm</c> must be set).</summary>
    SafetyRm,

    /// <summary>The served policy with the risk-review prompt.</summary>
    Policy,
}

/// <summary>Risk control (HOCON <c>r1.risk-control</c>).</summary>
public sealed record RiskControlSettings
{
    /// <summary>The shipped defaults.</summary>
    public static RiskControlSettings Defaults => ShippedDefaults.Bind<RiskControlSettings>("r1.risk-control");

    /// <summary>Whether risk control runs for a request that does not say.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Keywords that flag a user turn.</summary>
    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>A file of further keywords; empty = none.</summary>
    public required string KeywordsFile { get; init; }

    /// <summary>Who reviews a hit.</summary>
    public required ReviewerChoice Reviewer { get; init; }

    /// <summary>Safety reward-model checkpoint; empty = none.</summary>
    public required string SafetyRm { get; init; }

    /// <summary>The safety reward model withdraws below this probability of safe.</summary>
    public required double MinSafeProbability { get; init; }

    /// <summary>Most tokens of the policy reviewer's verdict.</summary>
    public required int ReviewMaxNewTokens { get; init; }

    /// <summary>The text a withdrawn answer is replaced by.</summary>
    public required string Refusal { get; init; }

    /// <summary>Checks the settings and names the first bad one.</summary>
    public RiskControlSettings Validate()
    {
        if (MinSafeProbability is < 0 or > 1) throw new ArgumentException("risk-control: min-safe-probability must be in [0, 1]", "min-safe-probability");
        if (ReviewMaxNewTokens < 1) throw new ArgumentException("risk-control: review-max-new-tokens must be positive", "review-max-new-tokens");
        if (string.IsNullOrWhiteSpace(Refusal)) throw new ArgumentException("risk-control: refusal must not be empty", "refusal");
        if (Reviewer == ReviewerChoice.SafetyRm && SafetyRm.Length == 0)
            throw new ArgumentException("risk-control: reviewer = safety-rm needs safety-rm (a checkpoint of r1 rm train --kind safety)", "safety-rm");
        return this;
    }
}
