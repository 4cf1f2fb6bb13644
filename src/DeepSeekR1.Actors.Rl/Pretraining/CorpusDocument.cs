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
public sealed record CorpusDocument(TaskItem Item, string Prompt, string Completion, string FinalAnswer, bool IsWrong, bool IsCareful = false);
