using System.Globalization;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Pretraining;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Distillation;

/// <summary>
/// Cold-start data (stage 1 of the DeepSeek-R1 recipe) at toy scale: long, careful, readable chains of thought for the
/// built-in arithmetic task, in R1's output format: the work step by step (columns with carries and borrows, as
/// <see cref="ColumnArithmetic"/> writes them), then a one-line summary, inside <c>&lt;think&gt;</c>, then the answer.
/// Questions come from the train split only, so no held-out question is ever taught; every example is correct by
/// construction (the work is recomputed, not sampled).
/// </summary>
public static class ColdStartExamples
{
    /// <summary>One example: the question it answers, and the SFT pair (the prompt as the policy sees it, the completion).</summary>
    public sealed record Example(TaskItem Item, SftPair Pair);

    /// <summary>
    /// <paramref name="count"/> examples over levels <paramref name="lowestLevel"/>..<paramref name="highestLevel"/>
    /// (each level equally likely), example <c>i</c> drawn from a seed derived from (<paramref name="seed"/>, i): the
    /// same arguments give the same file, and a longer file starts with the shorter one.
    /// </summary>
    /// <param name="lowestLevel">Easiest level.</param>
    /// <param name="highestLevel">Hardest level.</param>
    /// <param name="count">Examples to write.</param>
    /// <param name="seed">The seed every draw derives from.</param>
    /// <param name="bilingual">Ask half the questions in Chinese (the bilingual task) and reason about those in Chinese.</param>
    /// <param name="mixedShare">
    /// Share of the Chinese examples whose reasoning mixes in English (an English summary line before the Chinese
    /// one): a cold-start model that sometimes mixes languages, for the language-consistency reward to act on.
    /// </param>
    public static IEnumerable<Example> Arithmetic(int lowestLevel, int highestLevel, int count, ulong seed, bool bilingual = false, double mixedShare = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (mixedShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(mixedShare), mixedShare, "a share is within 0..1");
        var task = new ArithmeticTask(lowestLevel, highestLevel, bilingual);
        int levels = highestLevel - lowestLevel + 1;
        for (int i = 0; i < count; i++)
        {
            var random = new SeededRandom(Seeds.Derive(seed, "cold-start", i));
            int level = lowestLevel + (int)(random.NextUInt64() % (ulong)levels);
            var generated = task.Sample(TaskSplit.Train, level, random.NextUInt64());
            string expressionText = generated.CanonicalContent["arithmetic:".Length..];
            if (!ArithmeticExpression.TryRead(expressionText, out var expression, out var error))
                throw new InvalidOperationException($"arithmetic task produced an unparsable expression '{expressionText}': {error}");
            var steps = WorkedSolution.Steps(expression!);
            long answer = steps[^1].Result;
            var work = steps.SelectMany(ColumnArithmetic.Lines);
            // Drawn only for Chinese questions, so the English-only file is what it always was.
            string completion = generated.Item.Language == "zh"
                ? ChineseCompletion(work, expressionText, answer, mixed: random.Next(0, 1_000_000) < mixedShare * 1_000_000)
                : Completion(work, expressionText, answer);
            yield return new Example(generated.Item, new SftPair($"{generated.Item.Id}-cold-{i}", Training.PromptFormat.Text(generated.Item), completion));
        }
    }

    /// <summary>The readable completion: the work, a summary line, and the answer.</summary>
    public static string Completion(IEnumerable<string> work, string expression, long answer) => string.Create(CultureInfo.InvariantCulture,
        $" <think> {string.Join(", ", work)}. So {expression} = {answer}. </think> <answer> {answer} </answer>");

    /// <summary>
    /// The same for a question asked in Chinese: the same work (digits and operators are the same in both languages,
    /// and are what the base model learnt in pretraining), then the summary in Chinese; <paramref name="mixed"/> puts
    /// the English summary before it, the language mixing the paper saw in R1-Zero's chains of thought.
    /// </summary>
    public static string ChineseCompletion(IEnumerable<string> work, string expression, long answer, bool mixed) => string.Create(CultureInfo.InvariantCulture,
        $" <think> {string.Join(", ", work)}. {(mixed ? $"So {expression} = {answer}, " : "")}所以 {expression} = {answer}。 </think> <answer> {answer} </answer>");
}
