namespace DeepSeekR1.Actors.Engine.Contracts;

/// <summary>One conversation turn for a reward model to score: the user's prompt and the response it reads.</summary>
/// <param name="Prompt">The prompt, without any template (the model's input format adds <c>User:</c> / <c>Assistant:</c>).</param>
/// <param name="Response">What the model judges (for helpfulness the answer only; for safety the whole response).</param>
public sealed record RewardModelTurn(string Prompt, string Response);

/// <summary>
/// RewardVerifier to a RewardModel entity: score these turns. Requests that arrive within the entity's batching window
/// share one forward pass; the reply is <see cref="TurnsScored"/> or <see cref="TurnScoringFailed"/>.
/// </summary>
/// <param name="RequestId">Echoed in the reply.</param>
/// <param name="Turns">The turns, at least one.</param>
[ContractVersion(1)]
public sealed record ScoreTurns(string RequestId, IReadOnlyList<RewardModelTurn> Turns) : IWireMessage;

/// <summary>RewardModel entity to the asker: one score per turn, in the order asked (the model's raw scalar).</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Scores">The scores: a helpfulness model's preference score, or a safety model's logit of "safe".</param>
[ContractVersion(1)]
public sealed record TurnsScored(string RequestId, IReadOnlyList<float> Scores) : IWireMessage;

/// <summary>RewardModel entity to the asker: the request cannot be scored (the checkpoint failed to load; the reason names its path).</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Reason">Why, naming the checkpoint.</param>
[ContractVersion(1)]
public sealed record TurnScoringFailed(string RequestId, string Reason) : IWireMessage;

/// <summary>To a RewardModel entity: what have you done so far? Replies <see cref="RewardModelStats"/>.</summary>
[ContractVersion(1)]
public sealed record GetRewardModelStats : IWireMessage;

/// <summary>A RewardModel entity's counters since it started.</summary>
/// <param name="Checkpoint">The checkpoint it serves.</param>
/// <param name="Kind">helpfulness or safety.</param>
/// <param name="Requests">Score requests answered.</param>
/// <param name="Turns">Turns scored.</param>
/// <param name="Forwards">Forward passes run (fewer than requests when requests were batched together).</param>
/// <param name="LargestBatch">Most turns one forward pass scored.</param>
[ContractVersion(1)]
public sealed record RewardModelStats(string Checkpoint, string Kind, long Requests, long Turns, long Forwards, int LargestBatch) : IWireMessage;
