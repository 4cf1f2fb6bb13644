using DeepSeekR1.Actors.Configuration;
namespace DeepSeekR1.Actors.Rl.Distillation;

/// <summary>
/// What rejection sampling keeps (stage 3 of the R1 recipe, and the teacher traces of distillation): a correct,
/// well-formed, complete, single-language, non-repetitive completion, each identical completion once, and at most
/// <see cref="MaxPerQuestion"/> per question. Each filter can be switched off; the order in
/// <see cref="RejectionSampling.Judge"/> is the order the counts are reported in.
/// </summary>
public sealed record RejectionFilters
{
    /// <summary>The shipped defaults (<c>r1.sample.filters</c> in hocon/), the only place they live.</summary>
    public static RejectionFilters Defaults => ShippedDefaults.Bind<RejectionFilters>("r1.sample.filters");

    /// <summary>Drop completions whose answer the verifier did not accept.</summary>
    public required bool RequireCorrect { get; init; }
    /// <summary>Drop completions that do not follow the output format (<c>&lt;think&gt;...&lt;/think&gt; &lt;answer&gt;...&lt;/answer&gt;</c>).</summary>
    public required bool RequireFormat { get; init; }
    /// <summary>Drop completions cut off by the token limit.</summary>
    public required bool DropTruncated { get; init; }
    /// <summary>Drop completions whose reasoning mixes scripts (the paper's "language mixing").</summary>
    public required bool DropLanguageMixing { get; init; }
    /// <summary>Length in words of the phrase the repetition filter counts (0 switches it off).</summary>
    public required int RepeatPhraseWords { get; init; }
    /// <summary>A completion that says one phrase more often than this is repetitive.</summary>
    public required int MaxPhraseRepeats { get; init; }
    /// <summary>Completions kept per question; 0 keeps every one that passes.</summary>
    public required int MaxPerQuestion { get; init; }

    /// <summary>Checks the settings; returns them.</summary>
    /// <exception cref="ArgumentException">A count is negative, or the repeat limit is below 1 while the filter is on.</exception>
    public RejectionFilters Validate()
    {
        if (RepeatPhraseWords < 0) throw new ArgumentException("must not be negative (0 = no repetition filter)", "repeat-phrase-words");
        if (RepeatPhraseWords > 0 && MaxPhraseRepeats < 1) throw new ArgumentException("must be at least 1", "max-phrase-repeats");
        if (MaxPerQuestion < 0) throw new ArgumentException("must not be negative (0 = keep all)", "max-per-question");
        return this;
    }
}
