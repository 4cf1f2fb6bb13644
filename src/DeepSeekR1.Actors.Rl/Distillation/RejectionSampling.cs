using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Rewards;

namespace DeepSeekR1.Actors.Rl.Distillation;

/// <summary>Why rejection sampling kept or dropped a completion; the first filter that fails names it.</summary>
public enum Verdict
{
    /// <summary>Passed every filter.</summary>
    Kept,
    /// <summary>The verifier did not accept the answer.</summary>
    Incorrect,
    /// <summary>Not in the output format.</summary>
    Malformed,
    /// <summary>Cut off by the token limit.</summary>
    Truncated,
    /// <summary>The reasoning mixes scripts.</summary>
    LanguageMixed,
    /// <summary>One phrase said too many times.</summary>
    Repetitive,
    /// <summary>The same text as a completion already kept for this question.</summary>
    Duplicate,
    /// <summary>The question already has its quota of kept completions.</summary>
    OverQuota,
}

/// <summary>One completion that passed, with its question and where that question was in the input.</summary>
public sealed record KeptCompletion(int QuestionIndex, QuestionResult Question, int Sample, SampleResult Completion);

/// <summary>What rejection sampling kept, and how many completions each verdict had (every verdict present, zeros included).</summary>
public sealed record RejectionOutcome(IReadOnlyList<KeptCompletion> Kept, IReadOnlyDictionary<Verdict, int> Counts, int QuestionsWithAny)
{
    /// <summary>Completions judged.</summary>
    public int Judged => Counts.Values.Sum();
}

/// <summary>
/// Rejection sampling over scored completions: pure, so that the same samples give the same data set. The quality
/// filters come first (what is wrong with a completion by itself), then the per-question ones (duplicates, quota), so a
/// bad completion is never counted as a duplicate of a good one.
/// </summary>
public static partial class RejectionSampling
{
    /// <summary>The first filter <paramref name="completion"/> fails, or <see cref="Verdict.Kept"/>.</summary>
    public static Verdict Judge(SampleResult completion, RejectionFilters filters)
    {
        if (filters.RequireCorrect && !completion.IsCorrect) return Verdict.Incorrect;
        if (filters.RequireFormat && !completion.Formatted) return Verdict.Malformed;
        if (filters.DropTruncated && completion.Finish == FinishReason.Length) return Verdict.Truncated;
        if (filters.DropLanguageMixing && LanguageMixing.IsMixed(Reasoning(completion.Text))) return Verdict.LanguageMixed;
        if (filters.RepeatPhraseWords > 0 && RepeatsAPhrase(completion.Text, filters.RepeatPhraseWords, filters.MaxPhraseRepeats))
            return Verdict.Repetitive;
        return Verdict.Kept;
    }

    /// <summary>Judges every completion of every question, in order.</summary>
    public static RejectionOutcome Select(IReadOnlyList<QuestionResult> questions, RejectionFilters filters)
    {
        var counts = Enum.GetValues<Verdict>().ToDictionary(v => v, _ => 0);
        var kept = new List<KeptCompletion>();
        int questionsWithAny = 0;
        for (int q = 0; q < questions.Count; q++)
        {
            var question = questions[q];
            var texts = new HashSet<string>(StringComparer.Ordinal);
            int before = kept.Count;
            for (int s = 0; s < question.Samples.Count; s++)
            {
                var completion = question.Samples[s];
                var verdict = Judge(completion, filters);
                if (verdict == Verdict.Kept && !texts.Add(completion.Text.Trim())) verdict = Verdict.Duplicate;
                if (verdict == Verdict.Kept && filters.MaxPerQuestion > 0 && kept.Count - before >= filters.MaxPerQuestion) verdict = Verdict.OverQuota;
                counts[verdict]++;
                if (verdict == Verdict.Kept) kept.Add(new KeptCompletion(q, question, s, completion));
            }
            if (kept.Count > before) questionsWithAny++;
        }
        return new RejectionOutcome(kept, counts, questionsWithAny);
    }

    /// <summary>
    /// Whether some run of <paramref name="words"/> consecutive words occurs more than <paramref name="maxRepeats"/>
    /// times in <paramref name="text"/> (overlapping occurrences count): the degenerate loops a sampler falls into.
    /// </summary>
    public static bool RepeatsAPhrase(string text, int words, int maxRepeats)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < words) return false;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + words <= tokens.Length; i++)
        {
            string phrase = string.Join(' ', tokens, i, words);
            int n = seen.TryGetValue(phrase, out var c) ? c + 1 : 1;
            if (n > maxRepeats) return true;
            seen[phrase] = n;
        }
        return false;
    }

    // The chain of thought, where language mixing matters: the <think> block when there is one, else the whole text.
    private static string Reasoning(string text) => ThinkBlock().Match(text) is { Success: true } m ? m.Groups[1].Value : text;

    [GeneratedRegex(@"<think>(.*?)</think>", RegexOptions.Singleline)]
    private static partial Regex ThinkBlock();
}
