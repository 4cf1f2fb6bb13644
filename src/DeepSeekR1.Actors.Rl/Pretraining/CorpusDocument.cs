using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Pretraining;

/// <summary>One document of the pretraining corpus: an R1-Zero prompt and the completion that follows it.</summary>
/// <param name="Item">The arithmetic question (always from the training split).</param>
/// <param name="Prompt">The question inside the R1-Zero template, ending with <c>Assistant:</c>.</param>
/// <param name="Completion">
/// <c> &lt;think&gt; steps &lt;/think&gt; &lt;answer&gt; value &lt;/answer&gt;</c>; the end-of-sequence token is added
/// when the document is tokenized.
/// </param>
/// <param name="FinalAnswer">The value inside the answer tags.</param>
/// <param name="IsWrong">Whether the final step was deliberately corrupted (then <paramref name="FinalAnswer"/> differs from the gold).</param>
/// <param name="IsCareful">Whether the solution works sums and differences column by column (never wrong).</param>
/// <param name="Reflection">Whether the hasty work is checked afterwards, and what the check finds.</param>
/// <param name="IsPractice">Whether the question asks for the column working outright (the item's question is then reworded).</param>
public sealed record CorpusDocument(TaskItem Item, string Prompt, string Completion, string FinalAnswer, bool IsWrong, bool IsCareful = false,
    CorpusReflection Reflection = CorpusReflection.None, bool IsPractice = false);

/// <summary>Whether a corpus document checks its hasty work, and what the check finds.</summary>
public enum CorpusReflection
{
    /// <summary>No check: the hasty or careful work stands as written.</summary>
    None,

    /// <summary>The check agrees with the hasty result ("85 is right").</summary>
    Confirms,

    /// <summary>The check catches a planted slip in the hasty result and corrects it ("wait, 84 was wrong").</summary>
    Corrects,
}
