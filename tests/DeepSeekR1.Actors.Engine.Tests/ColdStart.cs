using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// A miniature cold start: a few supervised steps that teach a random tiny policy the answer format, so that its
/// rollouts earn different rewards. A purely random policy scores 0 on every output, its advantages are all 0 and
/// its updates change nothing, and then two engines agree trivially; these tests need updates that matter.
/// </summary>
internal static class ColdStart
{
    private static readonly Lazy<string> Saved = new(() => Save(TinyRuns.Policy));
    private static readonly Lazy<string> SavedMoe = new(() => Save(TinyRuns.MoePolicy));

    private static string Save(Func<PolicyModel> create)
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("r1-cold-start-").FullName, "policy");
        using var policy = Train(create());
        PolicyCheckpoint.Save(policy, dir);
        return dir;
    }

    /// <summary>The cold-started policy's checkpoint folder (trained once per test run).</summary>
    public static string Checkpoint => Saved.Value;

    /// <summary>A fresh copy of the cold-started policy.</summary>
    public static PolicyModel Policy() => PolicyCheckpoint.Load(Checkpoint, CPU);

    /// <summary>A fresh copy of the tiny MoE policy (<see cref="TinyRuns.MoePolicy"/>) cold-started the same way.</summary>
    public static PolicyModel MoePolicy() => PolicyCheckpoint.Load(SavedMoe.Value, CPU);

    private static PolicyModel Train(PolicyModel policy, int iterations = 40)
    {
        var items = new TrainingPrompts(new ArithmeticTask(), 999, 8).ForStep(0);
        var rows = items.Select(item => new TrainingRow(
            PromptFormat.Encode(TinyRuns.Tokenizer, item),
            Completion(PromptFormat.EncodeCompletion(TinyRuns.Tokenizer, $"<think>x</think><answer>{item.Gold}</answer>")),
            0)).ToArray();
        using var optimizer = optim.Adam(policy.parameters(), lr: 1e-2);
        policy.train();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            var batch = TrainingBatch.Pack(rows, policy.Config.PadTokenId, policy.Device);
            var logProbs = TokenLogProbs.Compute(policy, batch.Ids, batch.Valid, batch.Scored).LogProbs;
            var scored = batch.Scored.to_type(ScalarType.Float32);
            var loss = -(logProbs * scored).sum() / scored.sum();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        policy.eval();
        return policy;
    }

    private static Rollout Completion(IReadOnlyList<int> ids) =>
        new(0, ids, new float[ids.Count], FinishReason.Stop, "", 0, false, false, null, 0);
}
