using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// Evaluates a policy the way the DeepSeek-R1 paper does: K samples per question at temperature 0.6 and top-p 0.95,
/// pass@1 estimated from them, cons@K by majority vote, all broken down by difficulty level. Every sample's seed comes
/// from (seed, question index, sample index), so a report is reproducible and does not depend on the batch size.
/// Call on one thread, with no other use of the model at the same time (see <see cref="PolicyGenerator"/>).
/// </summary>
public static class Evaluator
{
    /// <summary>Samples, scores and summarises <paramref name="items"/>.</summary>
    /// <param name="model">The policy.</param>
    /// <param name="tokenizer">The policy's tokenizer; its EOS ends a completion.</param>
    /// <param name="items">The questions (see <see cref="EvalQuestions.Select"/>).</param>
    /// <param name="settings">Sampling, batching and seed.</param>
    /// <param name="composer">Scores each completion (answer, format, language).</param>
    /// <param name="progress">Called after each batch with (completions done, completions in all).</param>
    /// <param name="firstIndex">
    /// The index of <paramref name="items"/>' first question in the whole list it was cut from: seeds derive from the
    /// whole list's index, so sampling a list in chunks gives exactly what sampling it at once gives.
    /// </param>
    /// <returns>The report.</returns>
    public static EvalReport Run(
        PolicyModel model,
        IPolicyTokenizer tokenizer,
        IReadOnlyList<TaskItem> items,
        EvalSettings settings,
        RewardComposer composer,
        Action<int, int>? progress = null,
        int firstIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(composer);
        settings.Validate();

        int k = settings.Samples;
        // The model's own EOS stops too: a checkpoint may name a different end token than its tokenizer's default.
        var sampling = settings.Sampling(new[] { tokenizer.EosId, model.Config.EosTokenId }.Distinct().ToArray());
        var prompts = items.Select(item => Training.PromptFormat.Encode(tokenizer, item)).ToArray();

        // One request per (question, sample), question-major so that a question's samples share a batch where they can.
        var requests = new List<(int Question, int Sample, GenerationRequest Request)>(items.Count * k);
        for (int q = 0; q < items.Count; q++)
            for (int s = 0; s < k; s++)
                requests.Add((q, s, new GenerationRequest(prompts[q], Seeds.Derive(settings.Seed, "eval", firstIndex + q, s))));

        var samples = new SampleResult[items.Count][];
        for (int q = 0; q < items.Count; q++) samples[q] = new SampleResult[k];
        for (int start = 0; start < requests.Count; start += settings.BatchSize)
        {
            var batch = requests.GetRange(start, Math.Min(settings.BatchSize, requests.Count - start));
            var generated = PolicyGenerator.Generate(model, batch.Select(r => r.Request).ToArray(), sampling);
            // Code answers wait on sandboxes: a batch's run in parallel on threads of their own, not on this (tensor) thread.
            int parallel = batch.Max(r => composer.ParallelismFor(items[r.Question].Kind));
            void ScoreAt(int i) => samples[batch[i].Question][batch[i].Sample] = Score(items[batch[i].Question], generated[i], tokenizer, composer);
            if (parallel <= 1)
                for (int i = 0; i < batch.Count; i++) ScoreAt(i);
            else
                ScoringThreads.For(batch.Count, parallel, ScoreAt);
            progress?.Invoke(start + batch.Count, requests.Count);
        }

        var questions = items.Select((item, q) => new QuestionResult(
            item.Id, item.Level, item.Question, item.Gold, samples[q],
            ConsensusVote.Decide(samples[q].Select(s => new Ballot(s.Answer, s.IsCorrect)).ToArray(), ConsensusVote.EquivalenceFor(item.Kind)),
            item.Subject))
            .ToArray();
        return EvalReport.Of(settings.Task, settings.Split, k, questions);
    }

    private static SampleResult Score(TaskItem item, GenerationResult generated, IPolicyTokenizer tokenizer, RewardComposer composer)
    {
        string text = tokenizer.Decode(generated.TokenIds, skipSpecialTokens: true);
        var score = composer.Score(item, text);
        return new SampleResult(
            text, score.Answer, score.IsCorrect, score.Format.Value >= 1.0, generated.TokenIds.Count, generated.Finish,
            score.Accuracy.Reason, score.Language.Value);
    }
}
