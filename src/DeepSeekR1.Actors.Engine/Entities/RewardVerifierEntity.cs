using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.RewardModels;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// Scores sampled outputs with the run's rewards: the rule-based ones (<see cref="RolloutScorer"/>: decode, then the
/// run's reward set) for reasoning prompts, and for the prompt kinds <c>r1.rewards.models.kinds</c> lists (general) the
/// reward models, asked through their sharded entities (<see cref="RewardModelEntity"/>). Stateless; one entity for
/// math, one for Countdown, one for general prompts, and <c>r1.rewards.code.verifier-shards</c> for code
/// (<see cref="Sharding.EntityIds.Verifier"/>). The rules turn bad or hostile outputs into a score and a reason, never
/// an exception.
/// </summary>
/// <remarks>
/// The in-process rules take microseconds and answer from the message handler. A code answer is a sandbox process
/// that runs up to its deadline, so a code batch is scored on threads of its own (never the actor's thread, never the
/// thread pool's, never a tensor thread) with its outputs in parallel, and the reply is piped back; the code reward's
/// own limit caps the sandboxes running at once in the process, over all entities. A model-scored batch asks each
/// weighted model once for all its outputs and pipes the combined reply back, so the entity answers other batches while
/// the models work.
/// </remarks>
internal sealed class RewardVerifierEntity : ReceiveActor
{
    /// <summary>How model-scored prompts are scored: the reward models' region and the settings that weigh them.</summary>
    /// <param name="Region">The reward-model entities' shard region (or proxy).</param>
    /// <param name="Settings">Which kinds the models score, the weights, the ask timeout.</param>
    /// <param name="Tokenizer">Decodes completions for the models to read.</param>
    public sealed record ModelScoring(IActorRef Region, ModelRewardSettings Settings, IPolicyTokenizer Tokenizer);

    public RewardVerifierEntity(RolloutScorer scorer, ModelScoring? models = null)
    {
        Receive<VerifyRollouts>(v =>
        {
            var item = v.Question.ToTaskItem();
            var requests = v.Outputs.Select(output =>
                new ScoringRequest(item, output.Sample, new GenerationResult(output.CompletionIds, output.LogProbs, output.Finish), output.PolicyVersion)).ToArray();
            RolloutsVerified Verified(Rollout[] scored) => new(v.GroupId, scored.Select(RolloutData.From).ToArray());
            if (models is not null && models.Settings.ScoresWithModels(item.Kind))
            {
                ScoreWithModels(models, v.GroupId, scorer.Rewards.ThinkTagInPrompt, requests).PipeTo(Sender, Self, Verified, error => new Status.Failure(error));
                return;
            }
            if (item.Kind == AnswerKind.General)
            {
                // The run's start refuses a general task without reward models; a general prompt that gets here anyway
                // fails its batch loudly rather than scoring 0.
                Sender.Tell(new Status.Failure(new InvalidOperationException(
                    $"group {v.GroupId}: general prompt '{item.Id}' needs the reward models, and none is configured ({ModelRewardSettings.CheckpointKey(RewardModelKind.Helpfulness)})")));
                return;
            }
            if (item.Kind != AnswerKind.Code)
            {
                Sender.Tell(Verified(scorer.ScoreAll(requests)));
                return;
            }
            // A failure here is the node's (a sandbox process that cannot start), not the program's: it reaches the
            // group as a Status.Failure, which the dead-letter log shows, like any reply lost on the way.
            Task.Factory.StartNew(() => Verified(scorer.ScoreAll(requests)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .PipeTo(Sender, Self, failure: error => new Status.Failure(error));
        });
    }

    // One request per weighted model for the whole batch (its entity batches it further with other groups' requests),
    // then the pure combination of ModelRewards. Runs off the actor's thread: nothing here touches the actor's state.
    private static async Task<Rollout[]> ScoreWithModels(ModelScoring models, string groupId, bool thinkTagInPrompt, IReadOnlyList<ScoringRequest> requests)
    {
        var settings = models.Settings;
        var texts = requests.Select(r => PromptFormat.DecodeCompletion(models.Tokenizer, r.Result.TokenIds)).ToArray();
        string prompt = requests.Count > 0 ? requests[0].Item.Question : "";
        var asks = settings.Weighted.ToDictionary(kind => kind, kind => models.Region.Ask<object>(
            EntityIds.To(EntityIds.RewardModel(kind, groupId, settings.Shards),
                new ScoreTurns($"{groupId}/{RewardModelCheckpoint.KindName(kind)}", texts.Select(t => new RewardModelTurn(prompt, ModelRewards.ResponseFor(kind, t))).ToArray())),
            settings.Timeout));
        await Task.WhenAll(asks.Values);
        var scores = asks.ToDictionary(a => a.Key, a => a.Value.Result switch
        {
            TurnsScored scored when scored.Scores.Count == texts.Length => scored.Scores,
            TurnsScored scored => throw new InvalidOperationException($"group {groupId}: the {RewardModelCheckpoint.KindName(a.Key)} model returned {scored.Scores.Count} scores for {texts.Length} outputs"),
            TurnScoringFailed failed => throw new InvalidOperationException($"group {groupId}: {failed.Reason}"),
            var other => throw new InvalidOperationException($"group {groupId}: unexpected reply {other.GetType().Name} from the {RewardModelCheckpoint.KindName(a.Key)} model"),
        });
        float? Of(RewardModelKind kind, int i) => scores.TryGetValue(kind, out var s) ? s[i] : null;
        return requests.Select((r, i) =>
        {
            var format = FormatReward.Score(texts[i], thinkTagInPrompt);
            double reward = ModelRewards.Combine(settings, Of(RewardModelKind.Helpfulness, i), Of(RewardModelKind.Safety, i), format);
            return ModelRewards.ToRollout(r, texts[i], reward, format);
        }).ToArray();
    }
}
