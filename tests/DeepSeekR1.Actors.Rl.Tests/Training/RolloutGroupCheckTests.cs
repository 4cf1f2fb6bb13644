using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Rl.Tests.Training;

public class RolloutGroupCheckTests
{
    private const int Vocab = 100, Context = 16;

    private static Rollout Output(int sample, int[]? ids = null, float[]? logProbs = null, double reward = 1) =>
        new(sample, ids ?? [7, 8], logProbs ?? [-0.5f, -0.25f], FinishReason.Stop, "x", reward, true, true, "1", 0);

    private static RolloutGroup Group(IReadOnlyList<Rollout>? outputs = null, int[]? prompt = null) =>
        new(3, 1, new TaskItem("q", "What is 1 + 1?", "2"), prompt ?? [1, 2, 3], outputs ?? [Output(0), Output(1)]);

    private static string? Problem(RolloutGroup g) => RolloutGroupCheck.Problem(g, 2, Vocab, Context);

    [Fact]
    public void A_well_formed_group_passes() => Assert.Null(Problem(Group()));

    [Fact]
    public void Each_malformation_is_named()
    {
        Assert.Contains("3 outputs, the run samples 2", Problem(Group([Output(0), Output(1), Output(2)])));
        Assert.Contains("prompt is empty", Problem(Group(prompt: [])));
        Assert.Contains("prompt token 100 is not a token id below 100", Problem(Group(prompt: [1, 100])));
        Assert.Contains("output 1 appears twice", Problem(Group([Output(1), Output(1)])));
        Assert.Contains("output 1 has reward", Problem(Group([Output(0), Output(1, reward: double.PositiveInfinity)])));
        Assert.Contains("output 0 has 1 log-probs for 2 tokens", Problem(Group([Output(0, logProbs: [-1f]), Output(1)])));
        Assert.Contains("output 1: token -3 is not a token id", Problem(Group([Output(0), Output(1, ids: [4, -3])])));
        Assert.Contains("sampling log-probability 0.5", Problem(Group([Output(0, logProbs: [0.5f, -1f]), Output(1)])));
        Assert.Contains("output 0 has a sampling log-probability", Problem(Group([Output(0, logProbs: [float.NegativeInfinity, -1f]), Output(1)])));
        // The group is step 3's (index 3 is the fourth step): versions 0..3 exist when it trains.
        Assert.Null(Problem(Group([Output(0) with { PolicyVersion = 3 }, Output(1)])));
        Assert.Contains("output 1 says policy version 4 sampled it, but step 4 trains on versions 0..3",
            Problem(Group([Output(0), Output(1) with { PolicyVersion = 4 }])));
        Assert.Contains("policy version -1", Problem(Group([Output(0) with { PolicyVersion = -1 }, Output(1)])));
        var tooLong = Enumerable.Repeat(5, 14).ToArray();
        Assert.Contains("17 tokens, the model's context is 16", Problem(Group([Output(0), Output(1, ids: tooLong, logProbs: new float[14])])));
    }
}
