using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>What the held-out probe measured.</summary>
/// <param name="PassAt1">Mean accuracy over all samples of all items (pass@1 estimated from k samples).</param>
/// <param name="PassAt1ByLevel">The same per arithmetic level.</param>
/// <param name="FormatRate">Share of samples with the exact think/answer shape.</param>
/// <param name="StopRate">Share of samples that ended with the stop token rather than the length limit.</param>
/// <param name="MeanCompletionTokens">Mean sampled tokens per completion.</param>
/// <param name="Items">Items probed.</param>
/// <param name="SamplesPerItem">Samples per item.</param>
public sealed record ProbeResult(double PassAt1, IReadOnlyDictionary<int, double> PassAt1ByLevel, double FormatRate,
    double StopRate, double MeanCompletionTokens, int Items, int SamplesPerItem);

/// <summary>
/// A small, self-contained measurement of a policy on the held-out split of the built-in arithmetic task, scored with
/// R1-Zero's rules (R1-Zero prompt; accuracy and format as RewardComposer checks them). Items cycle through the levels, so every
/// level gets the same number of items; every sample's seed is derived from (seed, item, sample), so the result is
/// reproducible.
/// </summary>
public static class HeldOutProbe
{
    /// <summary>Samples <paramref name="samplesPerItem"/> completions for each of the first <paramref name="items"/> test items.</summary>
    public static ProbeResult Measure(PolicyModel model, IPolicyTokenizer tokenizer, int items, int samplesPerItem,
        SamplingOptions sampling, ulong seed, int batchRows = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerItem);
        var task = new ArithmeticTask();
        var testItems = Enumerable.Range(0, items).Select(i => task.ItemAt(TaskSplit.Test, seed, i).Item).ToArray();
        var jobs = testItems.SelectMany((item, i) => Enumerable.Range(0, samplesPerItem).Select(k => (Item: item, Index: i, Sample: k))).ToArray();

        var options = sampling with { StopTokenIds = [tokenizer.EosId] };
        var correct = new double[items];
        int formatted = 0, stopped = 0;
        long tokens = 0;
        model.eval();
        foreach (var chunk in jobs.Chunk(batchRows))
        {
            var requests = chunk.Select(j => new GenerationRequest(tokenizer.Encode(PromptTemplates.R1Zero(j.Item.Question)),
                Seeds.Derive(seed, "probe", j.Index, j.Sample))).ToArray();
            var results = PolicyGenerator.Generate(model, requests, options);
            for (int r = 0; r < chunk.Length; r++)
            {
                var ids = results[r].TokenIds.Where(t => t != tokenizer.EosId);
                string completion = tokenizer.Decode(ids, skipSpecialTokens: true);
                if (IsCorrect(chunk[r].Item, completion)) correct[chunk[r].Index] += 1.0 / samplesPerItem;
                if (FormatReward.Score(completion).Value >= 1) formatted++;
                if (results[r].Finish == FinishReason.Stop) stopped++;
                tokens += results[r].TokenIds.Count;
            }
        }
        var byLevel = testItems.Select((item, i) => (item.Level, Accuracy: correct[i]))
            .GroupBy(x => x.Level).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Average(x => x.Accuracy));
        return new ProbeResult(correct.Average(), byLevel, (double)formatted / jobs.Length, (double)stopped / jobs.Length,
            (double)tokens / jobs.Length, items, samplesPerItem);
    }

    // The accuracy rule of RewardComposer (answer extraction, then math equivalence with the gold answer), used on its
    // own because R1-Zero weighs only accuracy and format and the composer's language rule is not needed here.
    private static bool IsCorrect(TaskItem item, string completion) =>
        AnswerExtractor.Extract(completion).Answer is { } answer && MathAnswer.AreEquivalent(answer, item.Gold).Value >= 1;
}
