using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tests.Checkpoints;
using DeepSeekR1.Actors.Model.Tests.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Reward;

public class RewardModelTests
{
    private static RewardModel Trained(RewardModelKind kind, long seed = 3)
    {
        var model = new RewardModel(new PolicyModel(TinyModels.Dense(), seed: seed), kind);
        using (no_grad())
        {
            model.Head.weight!.normal_(0, 1);
            model.Head.bias!.fill_(0.25);
        }
        return model;
    }

    [Fact]
    public void A_fresh_head_scores_every_sequence_zero()
    {
        using var model = new RewardModel(new PolicyModel(TinyModels.Dense(), seed: 1), RewardModelKind.Helpfulness);
        using var scores = model.Score(tensor(new long[] { 5, 6, 7, 8, 9, 0 }, [2, 3]), tensor(new[] { true, true, true, true, true, false }, [2, 3]));
        Assert.Equal([0f, 0f], scores.data<float>().ToArray());
    }

    [Fact]
    public void The_score_is_read_at_the_last_real_token_so_padding_does_not_change_it()
    {
        using var model = Trained(RewardModelKind.Helpfulness);
        using var alone = model.Score(tensor(new long[] { 5, 6, 7 }, [1, 3]), ones([1, 3], ScalarType.Bool));
        using var padded = model.Score(tensor(new long[] { 5, 6, 7, 0, 0, 9, 9, 9, 9, 9 }, [2, 5]),
            tensor(new[] { true, true, true, false, false, true, true, true, true, true }, [2, 5]));
        Assert.Equal(alone.item<float>(), padded[0].item<float>(), 4);
        // A different last token gives a different score: the head does read the sequence.
        using var other = model.Score(tensor(new long[] { 5, 6, 8 }, [1, 3]), ones([1, 3], ScalarType.Bool));
        Assert.NotEqual(alone.item<float>(), other.item<float>());
    }

    [Fact]
    public void A_saved_reward_model_loads_back_with_its_head_kind_and_scores()
    {
        using var dir = new TempDirectory();
        using var model = Trained(RewardModelKind.Safety);
        var ids = tensor(new long[] { 3, 4, 5, 6 }, [1, 4]);
        var valid = ones([1, 4], ScalarType.Bool);
        float before = model.Score(ids, valid).item<float>();
        string path = RewardModelCheckpoint.Save(model, dir.File("rm"), new CheckpointSaveOptions { Metadata = new Dictionary<string, string> { ["stage"] = "rm" } });

        Assert.True(RewardModelCheckpoint.IsRewardModel(path));
        using var loaded = RewardModelCheckpoint.Load(path);
        Assert.Equal(RewardModelKind.Safety, loaded.Kind);
        Assert.Equal(before, loaded.Score(ids, valid).item<float>(), 5);
        Assert.Equal("rm", CheckpointManifest.Read(path).Metadata["stage"]);
    }

    [Fact]
    public void A_policy_folder_is_not_a_reward_model_and_a_reward_model_is_not_a_policy()
    {
        using var dir = new TempDirectory();
        using var policy = new PolicyModel(TinyModels.Dense());
        string policyPath = PolicyCheckpoint.Save(policy, dir.File("policy"));
        Assert.False(RewardModelCheckpoint.IsRewardModel(policyPath));
        var e = Assert.Throws<CheckpointException>(() => RewardModelCheckpoint.Load(policyPath));
        Assert.Contains("is not a reward model", e.Message);

        using var model = Trained(RewardModelKind.Helpfulness);
        string rmPath = RewardModelCheckpoint.Save(model, dir.File("rm"));
        var e2 = Assert.Throws<CheckpointException>(() => PolicyCheckpoint.Load(rmPath));
        Assert.Contains("'score.weight' does not belong", e2.Message);
    }
}
