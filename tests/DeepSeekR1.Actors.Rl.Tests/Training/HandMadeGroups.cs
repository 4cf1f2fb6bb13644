using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Rl.Tests.Training;

/// <summary>
/// A step's groups made by hand for learner tests: random prompts and completions, rewards that differ within each
/// group (so advantages and gradients are far from zero), pi_old log-probabilities near the tiny models' own, and every
/// sample of policy version <c>step</c> (never stale). The same step gives the same groups.
/// </summary>
internal static class HandMadeGroups
{
    public static RolloutGroup[] For(long step, int prompts, int groupSize, BuiltinTokenizer tokenizer)
    {
        var random = new Random((int)step + 3);
        return Enumerable.Range(0, prompts).Select(g =>
        {
            int[] prompt = Enumerable.Range(0, 6).Select(_ => random.Next(3, tokenizer.VocabSize)).ToArray();
            var rollouts = Enumerable.Range(0, groupSize).Select(s =>
            {
                int[] ids = [.. Enumerable.Range(0, 5 + s).Select(_ => random.Next(3, tokenizer.VocabSize)), tokenizer.EosId];
                float[] old = ids.Select(_ => (float)(-6.5 + random.NextDouble())).ToArray();
                return new Rollout(s, ids, old, FinishReason.Stop, "", s % 2, s % 2 == 1, true, null, step);
            }).ToArray();
            return new RolloutGroup(step, g, new TaskItem($"q{g}", "", ""), prompt, rollouts);
        }).ToArray();
    }
}
