using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// cons@K as DeepSeek-R1 reports it: the K samples of a question vote with their final answers, and the question counts
/// as solved when the most common answer is correct. Answers are grouped by equivalence rather than by spelling, so
/// "0.5", "1/2" and "\frac{1}{2}" are one vote each for the same answer.
/// </summary>
public static class ConsensusVote
{
    /// <summary>
    /// Votes over <paramref name="ballots"/>. Each answer joins the first group whose first answer it is equivalent to
    /// (or starts a new group); samples without an answer abstain. The largest group wins; among equally large groups the
    /// one whose first answer came earliest wins, so the result never depends on dictionary or sort order. The winner is
    /// correct when its first answer is: that is the spelling a user would be shown.
    /// </summary>
    /// <param name="ballots">The samples, in sampling order.</param>
    /// <param name="equivalent">Whether two answers are the same answer (see <see cref="EquivalenceFor"/>).</param>
    /// <returns>The winner and its vote count.</returns>
    public static ConsensusResult Decide(IReadOnlyList<Ballot> ballots, Func<string, string, bool> equivalent)
    {
        ArgumentNullException.ThrowIfNull(ballots);
        ArgumentNullException.ThrowIfNull(equivalent);
        var groups = new List<(Ballot First, int Votes)>();
        int voters = 0;
        foreach (var ballot in ballots)
        {
            if (ballot.Answer is not { } answer) continue;
            voters++;
            int group = groups.FindIndex(g => equivalent(answer, g.First.Answer!));
            if (group < 0) groups.Add((ballot, 1));
            else groups[group] = (groups[group].First, groups[group].Votes + 1);
        }
        if (groups.Count == 0) return ConsensusResult.NoVotes;

        // Strictly greater keeps the earliest group on ties.
        var winner = groups[0];
        foreach (var group in groups)
            if (group.Votes > winner.Votes) winner = group;
        return new ConsensusResult(winner.First.Answer, winner.Votes, voters, winner.First.IsCorrect);
    }

    /// <summary>
    /// How answers to a task of <paramref name="kind"/> are grouped. Math answers group by the math verifier's
    /// equivalence. A Countdown answer is the expression itself, and two different expressions that both reach the target
    /// are two different solutions, so they group only when they are the same text up to whitespace; so does a program
    /// (two programs that pass the same tests may still differ, and running them to compare would take a sandbox).
    /// </summary>
    /// <param name="kind">The task's answer kind.</param>
    /// <returns>The equivalence to vote with.</returns>
    public static Func<string, string, bool> EquivalenceFor(AnswerKind kind) => kind switch
    {
        AnswerKind.Math => MathEquivalent,
        AnswerKind.CountdownExpression or AnswerKind.Code => SameExpression,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no equivalence for this answer kind"),
    };

    private static bool MathEquivalent(string a, string b) => MathAnswer.AreEquivalent(a, b).Value >= 1.0;

    private static bool SameExpression(string a, string b) =>
        string.Equals(WithoutWhitespace(a), WithoutWhitespace(b), StringComparison.Ordinal);

    private static string WithoutWhitespace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}
