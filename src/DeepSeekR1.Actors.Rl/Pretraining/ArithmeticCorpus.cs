using System.Globalization;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Tasks.Expressions;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>
/// The corpus the built-in base model is pretrained on: R1-Zero prompts for the built-in arithmetic task, each
/// followed by a short worked solution in the exact <c>&lt;think&gt; ... &lt;/think&gt; &lt;answer&gt; ... &lt;/answer&gt;</c>
/// shape. Solutions come in two styles: hasty ones write each operation whole (<c>37 + 48 = 85</c>), and a set share of
/// them end in a near-miss answer (after correct steps, or in the last step itself: <see cref="SlipSite"/>); careful
/// ones (<see cref="CorpusSettings.CarefulShare"/>) work sums and differences column by column
/// (<see cref="ColumnArithmetic"/>) and are always right. The base model is right only part of the time, and
/// R1-Zero-style RL has something to sharpen: the slipped digits, and the choice between hasty and careful work. A
/// share of the hasty documents (<see cref="CorpusSettings.ReflectShare"/>) then check themselves: "let me check:",
/// the careful working, and a verdict that confirms the hasty result or catches a planted slip in it ("wait, 84 was
/// wrong"), the answer being the checked value; the only reflective language the base model ever sees. Practice
/// documents (<see cref="CorpusSettings.PracticeShare"/>) ask for the column working outright, so the skill can be
/// learnt from them while ordinary questions rarely get it. Questions come
/// from the training split of the arithmetic or the sums task (<see cref="CorpusSettings.Task"/>) only, so the held-out
/// split stays unseen. Document i is a pure function of (seed, i): the corpus is an endless, reproducible stream.
/// </summary>
public sealed class ArithmeticCorpus
{
    private readonly GeneratedTask _task;
    private readonly double[] _cumulativeLevelWeights;

    /// <summary>A corpus of the given shape.</summary>
    public ArithmeticCorpus(CorpusSettings settings)
    {
        Settings = settings.Validate();
        _task = (GeneratedTask)TaskCatalog.Get(settings.Task);
        double total = settings.LevelWeights.Sum(), running = 0;
        _cumulativeLevelWeights = settings.LevelWeights.Select(w => running += w / total).ToArray();
    }

    /// <summary>The corpus's shape.</summary>
    public CorpusSettings Settings { get; }

    /// <summary>
    /// The part every prompt shares: the R1-Zero template up to and including <c>User:</c>. The rest of a prompt
    /// (<see cref="PromptSuffix"/>) starts with the space before the question, so the split falls on a boundary the
    /// pre-tokenizer always cuts at and encoding the two parts separately gives the same ids as the whole prompt.
    /// </summary>
    public static string SharedPrefix { get; } = SplitPrompt(PromptTemplates.R1Zero("?")).Prefix;

    /// <summary>A prompt without <see cref="SharedPrefix"/>: <c> {question}. Assistant:</c>.</summary>
    public static string PromptSuffix(string prompt)
    {
        var (prefix, suffix) = SplitPrompt(prompt);
        if (prefix != SharedPrefix) throw new ArgumentException("not an R1-Zero prompt", nameof(prompt));
        return suffix;
    }

    private static (string Prefix, string Suffix) SplitPrompt(string prompt)
    {
        const string user = "User:";
        int at = prompt.IndexOf(user, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException("not an R1-Zero prompt", nameof(prompt));
        return (prompt[..(at + user.Length)], prompt[(at + user.Length)..]);
    }

    /// <summary>The completion text for a list of steps and the value to put in the answer tags.</summary>
    public static string FormatCompletion(IEnumerable<WorkedSolution.Step> steps, long answer) =>
        FormatCompletion(steps.Select(s => s.ToString()), answer);

    /// <summary>The completion text for the lines of a chain of thought and the value to put in the answer tags.</summary>
    public static string FormatCompletion(IEnumerable<string> lines, long answer) =>
        string.Create(CultureInfo.InvariantCulture, $" <think> {string.Join(", ", lines)} </think> <answer> {answer} </answer>");

    /// <summary>Document number <paramref name="index"/>.</summary>
    public CorpusDocument DocumentAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = new SeededRandom(Seeds.Derive(unchecked((ulong)Settings.Seed), "pretrain-corpus", index));
        int level = PickLevel(Uniform(random));
        var generated = _task.Sample(TaskSplit.Train, level, random.NextUInt64());
        string text = generated.CanonicalContent[(generated.CanonicalContent.IndexOf(':', StringComparison.Ordinal) + 1)..];
        if (!ArithmeticExpression.TryRead(text, out var expression, out var error))
            throw new InvalidOperationException($"{_task.Name} task produced an unparsable expression '{text}': {error}");

        var steps = WorkedSolution.Steps(expression!).ToList();
        // Draw the slip decision even when the share is 0 or 1, so changing the share never reorders the questions.
        bool wrong = Uniform(random) < Settings.WrongShare;
        long answer = steps[^1].Result;
        long slipped = wrong ? AnswerSlip.Apply(answer, random) : answer;
        // Drawn last, so a corpus without careful documents is draw for draw the one made before they existed.
        bool careful = Uniform(random) < Settings.CarefulShare;
        // Drawn after everything else, so a corpus without checking documents is the one made before they existed.
        bool checks = Uniform(random) < Settings.ReflectShare;
        bool checkCatches = Uniform(random) < Settings.ReflectSlipShare;
        long checkedSlip = AnswerSlip.Apply(answer, random);
        bool practice = Uniform(random) < Settings.PracticeShare;
        if (practice)
        {
            var asked = generated.Item with { Question = string.Create(CultureInfo.InvariantCulture, $"Work out {text} column by column.") };
            return new CorpusDocument(asked, Training.PromptFormat.Text(asked), FormatCompletion(steps.SelectMany(ColumnArithmetic.Lines), answer),
                answer.ToString(CultureInfo.InvariantCulture), IsWrong: false, IsCareful: true, IsPractice: true);
        }

        string prompt = Training.PromptFormat.Text(generated.Item);
        if (careful)
        {
            // Careful work is always right: the slip drawn above is not used.
            var lines = steps.SelectMany(ColumnArithmetic.Lines);
            return new CorpusDocument(generated.Item, prompt, FormatCompletion(lines, answer),
                answer.ToString(CultureInfo.InvariantCulture), IsWrong: false, IsCareful: true);
        }

        if (checks)
        {
            var reflection = checkCatches ? CorpusReflection.Corrects : CorpusReflection.Confirms;
            return new CorpusDocument(generated.Item, prompt, FormatCompletion(CheckedLines(steps, checkCatches ? checkedSlip : answer), answer),
                answer.ToString(CultureInfo.InvariantCulture), IsWrong: false, IsCareful: false, reflection);
        }

        if (wrong && Settings.SlipAt == SlipSite.LastStep) steps[^1] = steps[^1] with { Result = slipped };
        return new CorpusDocument(generated.Item, prompt, FormatCompletion(steps, slipped),
            slipped.ToString(CultureInfo.InvariantCulture), wrong, IsCareful: false);
    }

    /// <summary>
    /// The lines of hasty work checked afterwards: the hasty steps, the last one giving <paramref name="hastyResult"/>;
    /// "let me check:" and the careful column working of every step; then the verdict, "wait, X was wrong" when the
    /// check disagrees with the hasty result and "X is right" when it agrees.
    /// </summary>
    /// <param name="steps">The correct steps of the expression.</param>
    /// <param name="hastyResult">What the hasty last step wrote (the right value, or a slip for the check to catch).</param>
    public static IReadOnlyList<string> CheckedLines(IReadOnlyList<WorkedSolution.Step> steps, long hastyResult)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) throw new ArgumentException("an expression without an operation has nothing to check", nameof(steps));
        long right = steps[^1].Result;
        var lines = steps.Take(steps.Count - 1).Select(s => s.ToString()).ToList();
        lines.Add((steps[^1] with { Result = hastyResult }).ToString());
        var check = steps.SelectMany(ColumnArithmetic.Lines).ToList();
        check[0] = "let me check: " + check[0];
        lines.AddRange(check);
        lines.Add(hastyResult == right
            ? string.Create(CultureInfo.InvariantCulture, $"{right} is right")
            : string.Create(CultureInfo.InvariantCulture, $"wait, {hastyResult} was wrong"));
        return lines;
    }

    // A uniform draw in [0, 1) with 53 bits, never exactly 1.
    private static double Uniform(SeededRandom random) => (random.NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private int PickLevel(double u)
    {
        for (int i = 0; i < _cumulativeLevelWeights.Length; i++)
            if (u < _cumulativeLevelWeights[i]) return i + 1;
        // Rounding can leave the last cumulative weight a hair under 1: fall back to the hardest level that has weight.
        return Array.FindLastIndex(Settings.LevelWeights.ToArray(), w => w > 0) + 1;
    }
}
