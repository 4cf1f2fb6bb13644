using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Which fields of a bring-your-own JSONL line hold the question and the gold answer (HOCON <c>r1.jsonl</c>), so that a
/// data set whose lines say <c>problem</c> and <c>final_answer</c> is read as it is, without rewriting the file.
/// </summary>
public sealed record QaJsonlFields
{
    /// <summary>The shipped defaults (<c>r1.jsonl</c> in hocon/): <c>question</c> and <c>answer</c>.</summary>
    public static QaJsonlFields Defaults => ShippedDefaults.Bind<QaJsonlFields>("r1.jsonl");

    /// <summary>The field holding the question text.</summary>
    public required string QuestionField { get; init; }

    /// <summary>The field holding the gold answer (a string or a number).</summary>
    public required string AnswerField { get; init; }

    /// <summary>Checks that both name a field, and different ones.</summary>
    /// <exception cref="ArgumentException">A field name is empty, or both are the same.</exception>
    public QaJsonlFields Validate()
    {
        if (string.IsNullOrWhiteSpace(QuestionField)) throw new ArgumentException("r1.jsonl.question-field must name a field", "question-field");
        if (string.IsNullOrWhiteSpace(AnswerField)) throw new ArgumentException("r1.jsonl.answer-field must name a field", "answer-field");
        if (QuestionField == AnswerField) throw new ArgumentException($"r1.jsonl.question-field and answer-field are both '{AnswerField}'", "answer-field");
        return this;
    }
}
