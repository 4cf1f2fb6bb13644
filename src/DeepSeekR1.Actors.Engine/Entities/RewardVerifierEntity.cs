using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// Scores sampled outputs with the run's rule-based rewards (<see cref="RolloutScorer"/>: decode, then the run's
/// reward set). Stateless; one entity for math, one for Countdown, and <c>r1.rewards.code.verifier-shards</c> for code
/// (<see cref="Sharding.EntityIds.Verifier"/>). The rules turn bad or hostile outputs into a score and a reason, never
/// an exception.
/// </summary>
/// <remarks>
/// The in-process rules take microseconds and answer from the message handler. A code answer is a sandbox process
/// that runs up to its deadline, so a code batch is scored on threads of its own (never the actor's thread, never the
/// thread pool's, never a tensor thread) with its outputs in parallel, and the reply is piped back; the code reward's
/// own limit caps the sandboxes running at once in the process, over all entities.
/// </remarks>
internal sealed class RewardVerifierEntity : ReceiveActor
{
    public RewardVerifierEntity(RolloutScorer scorer)
    {
        Receive<VerifyRollouts>(v =>
        {
            var item = v.Question.ToTaskItem();
            var requests = v.Outputs.Select(output =>
                new ScoringRequest(item, output.Sample, new GenerationResult(output.CompletionIds, output.LogProbs, output.Finish), output.PolicyVersion)).ToArray();
            RolloutsVerified Verified(Rollout[] scored) => new(v.GroupId, scored.Select(RolloutData.From).ToArray());
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
}
