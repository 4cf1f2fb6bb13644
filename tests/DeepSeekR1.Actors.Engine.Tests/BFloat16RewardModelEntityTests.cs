using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Entities;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Reward;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>A reward-model entity of a bfloat16 run (issue 23) scores with a bfloat16 transformer, close to float32.</summary>
public sealed class BFloat16RewardModelEntityTests(TinyRewardModels models) : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("""
        akka.actor.provider = local
        akka.test.single-expect-default = 30s
        """).WithFallback(EngineConfig.Default), "reward-models-bf16"), IClassFixture<TinyRewardModels>
{
    private const int MaxSeqLen = 64;

    [Fact]
    public void A_bfloat16_entity_scores_within_bfloat16_rounding_of_the_float32_model()
    {
        var turns = Enumerable.Range(0, 6).Select(i => new RewardModelTurn($"Reverse the word river{i}.", $"The word is revir {i}.")).ToArray();
        float[] Scores(ModelDtype dtype)
        {
            var options = new RewardModelEntity.Options(RewardModelKind.Helpfulness, models.Helpfulness, 8, TimeSpan.FromMilliseconds(30), MaxSeqLen)
            {
                Dtype = dtype,
            };
            var entity = Sys.ActorOf(Props.Create(() => new RewardModelEntity(options, TinyRuns.Tokenizer, CPU)).WithDispatcher(EngineHost.ModelDispatcher));
            entity.Tell(new ScoreTurns(dtype.ToString(), turns));
            return ExpectMsg<TurnsScored>().Scores.ToArray();
        }
        var scores = Scores(ModelDtype.Bfloat16);
        var wide = Scores(ModelDtype.Float32);   // the same batch in float32: the same computation but for the dtype

        var expected = TinyRewardModels.Direct(models.Helpfulness, turns, MaxSeqLen);   // float32, one turn at a time
        double spread = expected.Max() - expected.Min();
        Assert.True(spread > 0, "the test model must tell turns apart");
        // Stated tolerance: within 5% of the float32 scores' spread; not equal, since the transformer computes in bfloat16.
        for (int i = 0; i < turns.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected[i]) < 0.05 * spread, $"turn {i}: {scores[i]} in bfloat16, {expected[i]} in float32 (spread {spread})");
        Assert.Contains(Enumerable.Range(0, turns.Length), i => scores[i] != wide[i]);
    }
}
