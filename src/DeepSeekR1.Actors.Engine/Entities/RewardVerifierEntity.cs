using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// Scores sampled outputs with the run's rule-based rewards (<see cref="RolloutScorer"/>: decode, then the run's
/// reward set). Pure and stateless, one entity per verifier kind; the rules turn bad or hostile outputs into a
/// score and a reason, never an exception.
/// </summary>
internal sealed class RewardVerifierEntity : ReceiveActor
{
    public RewardVerifierEntity(RolloutScorer scorer)
    {
        Receive<VerifyRollouts>(v =>
        {
            var item = v.Question.ToTaskItem();
            var scored = v.Outputs.Select(output =>
            {
                var result = new GenerationResult(output.CompletionIds, output.LogProbs, output.Finish);
                return RolloutData.From(scorer.Score(item, output.Sample, result, output.PolicyVersion));
            }).ToArray();
            Sender.Tell(new RolloutsVerified(v.GroupId, scored));
        });
    }
}
