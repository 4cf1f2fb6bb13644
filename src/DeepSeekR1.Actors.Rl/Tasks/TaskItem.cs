namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>How a task's gold answer is checked against the model's final answer.</summary>
public enum AnswerKind
{
    /// <summary>A mathematical value or expression: checked for equivalence by the math verifier.</summary>
    Math,

    /// <summary>
    /// A Countdown expression: the answer must be an arithmetic expression that uses the given numbers
    /// (each at most once) and evaluates to the target. <see cref="TaskItem.Gold"/> holds the target.
    /// </summary>
    CountdownExpression,

    /// <summary>
    /// A Python program, run in a sandbox against the task's tests (<see cref="Rewards.Code.CodeRewards"/>).
    /// <see cref="TaskItem.Gold"/> holds the tests, one <c>assert CALL == EXPECTED</c> per line.
    /// </summary>
    Code,

    /// <summary>
    /// A general (non-verifiable) request: no rule can check the answer, so reward models score it (the helpfulness and
    /// safety models of DeepSeek-R1's alignment stage, <c>r1.rewards.models</c>). <see cref="TaskItem.Gold"/> is empty.
    /// </summary>
    General,
}

/// <summary>One question of a task or dataset, with what is needed to score an answer to it.</summary>
/// <param name="Id">Stable identifier, unique within its source (for example <c>arith-l3-000042</c> or <c>gsm8k-test-17</c>).</param>
/// <param name="Question">The user's question, without any template around it.</param>
/// <param name="Gold">The reference answer (a number, expression, or the Countdown target).</param>
/// <param name="Kind">How <paramref name="Gold"/> is compared with an answer.</param>
/// <param name="Level">Difficulty 1 (easiest) to 5, or 0 when the source has no levels.</param>
/// <param name="Language">BCP-47-ish language of the question (<c>en</c>, <c>zh</c>), used by the language-consistency reward.</param>
/// <param name="Numbers">For Countdown: the numbers that may be used; empty otherwise.</param>
/// <param name="Subject">The subject (MATH's "Precalculus", ...), or empty when the source has none; evaluation reports by it.</param>
public sealed record TaskItem(
    string Id,
    string Question,
    string Gold,
    AnswerKind Kind = AnswerKind.Math,
    int Level = 0,
    string Language = "en",
    IReadOnlyList<int>? Numbers = null,
    string Subject = "");
