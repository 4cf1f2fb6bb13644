using System.Text.Json.Serialization;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>One evaluation question with all of its samples: a line of the <c>--details</c> JSONL.</summary>
/// <param name="Id">The task item's id.</param>
/// <param name="Level">Difficulty 1..5, or 0 when the task has no levels.</param>
/// <param name="Question">The question as the template received it.</param>
/// <param name="Gold">The reference answer.</param>
/// <param name="Samples">The K scored completions, in sample order.</param>
/// <param name="Consensus">The majority vote over the samples' answers.</param>
/// <param name="Subject">The question's subject, or empty when its source has none.</param>
public sealed record QuestionResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("gold")] string Gold,
    [property: JsonPropertyName("samples")] IReadOnlyList<SampleResult> Samples,
    [property: JsonPropertyName("consensus")] ConsensusResult Consensus,
    [property: JsonPropertyName("subject")] string Subject = "")
{
    /// <summary>How many samples are correct (the c of pass@k).</summary>
    [JsonPropertyName("correct")]
    public int Correct => Samples.Count(s => s.IsCorrect);

    /// <summary>This question's pass@1 estimate: correct samples over samples.</summary>
    [JsonPropertyName("pass_at_1")]
    public double PassAt1 => PassAtK.Estimate(Samples.Count, Correct, 1);
}
