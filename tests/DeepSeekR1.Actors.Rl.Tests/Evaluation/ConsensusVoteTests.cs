using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Tests.Evaluation;

public class ConsensusVoteTests
{
    private static readonly Func<string, string, bool> Math = ConsensusVote.EquivalenceFor(AnswerKind.Math);

    [Fact]
    public void Equivalent_spellings_pool_their_votes()
    {
        // "0.5", "1/2" and "\frac{1}{2}" are one answer with three votes; "2" has two and loses.
        var result = ConsensusVote.Decide(
            [new("2", false), new("0.5", true), new("2", false), new("1/2", true), new("\\frac{1}{2}", true)], Math);
        Assert.Equal("0.5", result.Answer);
        Assert.Equal(3, result.Votes);
        Assert.Equal(5, result.Voters);
        Assert.True(result.IsCorrect);
    }

    [Fact]
    public void A_wrong_majority_makes_the_question_unsolved_even_with_a_correct_sample()
    {
        var result = ConsensusVote.Decide([new("7", true), new("8", false), new("8.0", false)], Math);
        Assert.Equal("8", result.Answer);
        Assert.Equal(2, result.Votes);
        Assert.False(result.IsCorrect);
    }

    [Fact]
    public void Ties_go_to_the_answer_that_appeared_first()
    {
        var first = ConsensusVote.Decide([new("3", false), new("4", true), new("4", true), new("3", false)], Math);
        Assert.Equal("3", first.Answer);
        Assert.False(first.IsCorrect);

        var swapped = ConsensusVote.Decide([new("4", true), new("3", false), new("3", false), new("4", true)], Math);
        Assert.Equal("4", swapped.Answer);
        Assert.True(swapped.IsCorrect);
    }

    [Fact]
    public void Samples_without_an_answer_abstain()
    {
        var result = ConsensusVote.Decide([new(null, false), new(null, false), new(null, false), new("5", true)], Math);
        Assert.Equal("5", result.Answer);
        Assert.Equal(1, result.Votes);
        Assert.Equal(1, result.Voters);
        Assert.True(result.IsCorrect);
    }

    [Fact]
    public void Nobody_voting_is_an_unsolved_question()
    {
        var result = ConsensusVote.Decide([new(null, false), new(null, false)], Math);
        Assert.Equal(ConsensusResult.NoVotes, result);
        Assert.False(result.IsCorrect);
        Assert.Equal(ConsensusResult.NoVotes, ConsensusVote.Decide([], Math));
    }

    [Fact]
    public void Countdown_answers_group_by_expression_not_by_value()
    {
        var countdown = ConsensusVote.EquivalenceFor(AnswerKind.CountdownExpression);
        Assert.True(countdown("3 * (4+5)", "3*(4 + 5)"));
        Assert.False(countdown("3*(4+5)", "(4+5)*3"));

        // Two different correct expressions are two answers; the repeated wrong one wins 2 to 1 to 1.
        var result = ConsensusVote.Decide([new("25 + 2", true), new("25+3", false), new("2 + 25", true), new("25 + 3", false)], countdown);
        Assert.Equal("25+3", result.Answer);
        Assert.Equal(2, result.Votes);
        Assert.False(result.IsCorrect);
    }
}
