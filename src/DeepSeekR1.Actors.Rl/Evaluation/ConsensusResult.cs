using System.Text.Json.Serialization;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>The outcome of a majority vote over one question's samples.</summary>
/// <param name="Answer">The winning answer as first written by a sample, or null when no sample gave an answer.</param>
/// <param name="Votes">Samples whose answers are equivalent to the winner.</param>
/// <param name="Voters">Samples that gave any answer.</param>
/// <param name="IsCorrect">Whether the winning answer is correct (false when nobody voted).</param>
public sealed record ConsensusResult(
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("votes")] int Votes,
    [property: JsonPropertyName("voters")] int Voters,
    [property: JsonPropertyName("correct")] bool IsCorrect)
{
    /// <summary>The result when no sample gave an answer.</summary>
    public static ConsensusResult NoVotes { get; } = new(null, 0, 0, false);
}
