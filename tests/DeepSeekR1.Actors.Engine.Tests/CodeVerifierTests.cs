using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// Code verifiers: a step's groups spread over <c>verifier-shards</c> entities, and a code verifier scores its batch in
/// the real sandbox off its own thread, answering other batches meanwhile.
/// </summary>
public sealed class CodeVerifierTests : TestKit
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    private static readonly TaskItem Add = new("add", "Write add(a, b).", "assert add(1, 2) == 3\nassert add(2, 2) == 4\nassert add(-1, 1) == 0", AnswerKind.Code);

    [Fact]
    public void A_steps_code_groups_spread_over_the_verifier_shards_and_always_reach_the_same_one()
    {
        var groups = Enumerable.Range(0, 64).Select(i => EntityIds.Group("run-1", i / 16, i % 16)).ToArray();

        var ids = groups.Select(g => EntityIds.Verifier(AnswerKind.Code, g, 8)).ToArray();

        Assert.All(ids, id => Assert.Matches("^code-[0-7]$", id));
        Assert.True(ids.Distinct().Count() >= 6, string.Join(",", ids.Distinct()));
        Assert.Equal(ids, groups.Select(g => EntityIds.Verifier(AnswerKind.Code, g, 8)));
        Assert.Equal("math", EntityIds.Verifier(AnswerKind.Math, groups[0], 8));
        Assert.Equal("countdown", EntityIds.Verifier(AnswerKind.CountdownExpression, groups[0], 8));
    }

    [Fact]
    public void A_code_question_travels_and_is_journaled_with_its_kind_by_name()
    {
        var message = new VerifyRollouts("g", QuestionData.From(Add), [Sampled(0, "<answer>x = 1</answer>")]);

        byte[] bytes = ContractCodec.Encode(message);
        var decoded = (VerifyRollouts)ContractCodec.Decode(bytes, ContractCodec.ManifestOf(typeof(VerifyRollouts)));

        Assert.Contains("\"Code\"", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(Add, decoded.Question.ToTaskItem());
    }

    [Fact]
    public void A_code_verifier_scores_in_the_sandbox_and_answers_a_math_batch_while_it_runs()
    {
        var code = CodeRewards.Start(CodeRewardSettings.Defaults with { Deadline = TimeSpan.FromSeconds(10) });
        var scorer = new RolloutScorer(Tokenizer, RewardSets.For(RewardWeights.R1Zero, code));
        var verifier = Sys.ActorOf(Props.Create(() => new RewardVerifierEntity(scorer)));
        string right = "<think>x</think> <answer>\n```python\nimport time\ntime.sleep(1)\ndef add(a, b):\n    return a + b\n```\n</answer>";
        string wrong = right.Replace("a + b", "a * b", StringComparison.Ordinal);

        verifier.Tell(new VerifyRollouts("code-group", QuestionData.From(Add), [Sampled(0, right), Sampled(1, wrong), Sampled(2, right)]));
        verifier.Tell(new VerifyRollouts("math-group", QuestionData.From(new TaskItem("m", "1+1?", "2")), [Sampled(0, "<think>x</think> <answer>2</answer>")]));

        var first = ExpectMsg<RolloutsVerified>(TimeSpan.FromSeconds(30));
        var second = ExpectMsg<RolloutsVerified>(TimeSpan.FromSeconds(60));
        Assert.Equal("math-group", first.GroupId);  // the code batch did not hold the entity's thread
        Assert.True(first.Rollouts.Single().Correct);
        Assert.Equal("code-group", second.GroupId);
        Assert.Equal([true, false, true], second.Rollouts.Select(r => r.Correct));
        Assert.Equal([2.0, 1.0, 2.0], second.Rollouts.Select(r => r.Reward));
    }

    private static SampledOutput Sampled(int sample, string text)
    {
        var ids = Tokenizer.Encode(text);
        return new SampledOutput(sample, ids, ids.Select(_ => -1f).ToArray(), FinishReason.Stop, 1);
    }
}
