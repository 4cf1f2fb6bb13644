using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.RewardModels;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// A reasoning task with general prompts mixed into its training split, as DeepSeek-R1's alignment-RL stage trains on
/// reasoning and general data together (the paper's RL mix: 66k general prompts beside 80k reasoning ones). After each
/// reasoning question, <see cref="Ratio"/> general prompts on average follow (a credit carried from item to item, so
/// the mix is exact and deterministic); the general prompts cycle in their given order. The held-out split is the
/// reasoning task's alone: no rule says whether a general answer is right, so held-out accuracy stays a reasoning figure.
/// General prompts are <see cref="AnswerKind.General"/> items with an empty gold answer, scored by the reward models.
/// The mix is a finite pool (a run draws its steps' prompts from it, shuffled per epoch, as from a file): a generated
/// reasoning task, endless by itself, contributes its first <c>reasoningQuestions</c> training questions.
/// </summary>
public sealed class GeneralPromptMix : ITaskSource
{
    private readonly ITaskSource reasoning;
    private readonly IReadOnlyList<string> prompts;
    private readonly int reasoningQuestions;

    /// <summary>Mixes <paramref name="prompts"/> into <paramref name="reasoning"/>'s training split at <paramref name="ratio"/> per question.</summary>
    /// <param name="reasoning">The reasoning task.</param>
    /// <param name="prompts">The general prompts, in the order they are used.</param>
    /// <param name="ratio">General prompts per reasoning question.</param>
    /// <param name="reasoningQuestions">Most reasoning training questions taken (required for a generated task, which never ends; a run passes steps x prompts-per-step).</param>
    /// <exception cref="ArgumentException">No prompts, an empty prompt, a ratio outside (0, 10], or a generated task without a question count.</exception>
    public GeneralPromptMix(ITaskSource reasoning, IReadOnlyList<string> prompts, double ratio, int? reasoningQuestions = null)
    {
        if (reasoning is GeneratedTask && reasoningQuestions is null)
            throw new ArgumentException($"task '{reasoning.Name}' is generated and never ends: give the number of its questions to mix", nameof(reasoningQuestions));
        if (reasoningQuestions is <= 0) throw new ArgumentOutOfRangeException(nameof(reasoningQuestions), reasoningQuestions, "must be positive");
        this.reasoningQuestions = reasoningQuestions ?? int.MaxValue;
        if (prompts.Count == 0) throw new ArgumentException("no general prompts to mix in", nameof(prompts));
        if (prompts.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("a general prompt is empty", nameof(prompts));
        if (!(ratio > 0 && ratio <= 10)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "general prompts per reasoning question must be in (0, 10]");
        this.reasoning = reasoning;
        this.prompts = prompts;
        Ratio = ratio;
    }

    /// <summary>General prompts per reasoning question.</summary>
    public double Ratio { get; }

    /// <inheritdoc />
    public string Name => $"{reasoning.Name}+general";

    /// <inheritdoc />
    public bool HasGeneralPrompts => true;

    /// <summary>The general prompts of the toy preference generator (<c>r1 data preferences</c>): distinct, in generation order.</summary>
    public static IReadOnlyList<string> ToyPrompts(int count, ulong seed) =>
        ToyPreferences.Generate(count, seed).Select(p => p.Prompt).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The distinct <c>prompt</c> strings of a JSONL file, in file order: a preference file (<c>r1 data preferences</c>),
    /// a safety-prompt file, or any file whose lines carry a <c>prompt</c>. A bad line names the file, line and key.
    /// </summary>
    public static IReadOnlyList<string> ReadPrompts(string path) =>
        JsonlReader.Read(path, record => record.RequiredString("prompt")).Distinct(StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed)
    {
        if (split != TaskSplit.Train)
        {
            foreach (var item in reasoning.Items(split, seed)) yield return item;
            yield break;
        }
        double credit = 0;
        int next = 0;
        foreach (var item in reasoning.Items(split, seed).Take(reasoningQuestions))
        {
            yield return item;
            for (credit += Ratio; credit >= 1; credit -= 1, next++)
                yield return new TaskItem($"general-{next % prompts.Count:D5}", prompts[next % prompts.Count], Gold: "", AnswerKind.General);
        }
    }
}
