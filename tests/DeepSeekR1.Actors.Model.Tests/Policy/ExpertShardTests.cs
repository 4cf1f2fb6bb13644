using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class ExpertShardTests
{
    private static ModelConfig Config => TinyModels.Moe() with { MoeLayers = [0, 1], NumRoutedExperts = 6, ExpertsPerToken = 2 };

    private static PolicyModel Twin(PolicyModel source)
    {
        var twin = new PolicyModel(source.Config, seed: 99);
        using var noGrad = no_grad();
        var state = source.state_dict();
        foreach (var (name, t) in twin.state_dict()) t.copy_(state[name]);
        return twin;
    }

    private static Tensor Loss(PolicyModel policy, Tensor ids)
    {
        var positions = arange(ids.shape[1]).unsqueeze(0).expand(ids.shape[0], -1);
        var logits = policy.Forward(ids, positions);
        // A loss that weights every position and vocabulary entry differently, so every gradient is exercised.
        return (logits.log_softmax(-1) * linspace(-1, 1, logits.shape[^1])).mean();
    }

    [Fact]
    public void Placement_is_round_robin_over_every_layer()
    {
        var placement = new ExpertPlacement(2, [1, 3], 8);
        Assert.Equal([0, 2, 4, 6], placement.ExpertsOf(0));
        Assert.Equal([1, 3, 5, 7], placement.ExpertsOf(1));
        Assert.Equal(1, placement.ShardOf(7));
        Assert.Equal("expert shard 1: experts 1,3,5,7 of layers 1,3", placement.Describe().Last());
        Assert.Contains("r1.experts.shards", Assert.Throws<ArgumentException>(() => new ExpertPlacement(9, [1], 8)).Message);
        Assert.Throws<ArgumentException>(() => new ExpertPlacement(2, [], 8));
    }

    [Fact]
    public void Loss_and_every_gradient_match_the_local_layer_with_two_shards()
    {
        using var scope = NewDisposeScope();
        using var local = new PolicyModel(Config, seed: 5);
        using var sharded = Twin(local);
        using var shards = ExpertShardSet.Distribute(sharded, 2);
        local.train();
        sharded.train();
        var ids = randint(0, Config.VocabSize, [3, 9], generator: new Generator(7));

        var localLoss = Loss(local, ids);
        localLoss.backward();
        var shardedLoss = Loss(sharded, ids);
        shardedLoss.backward();

        Assert.Equal(localLoss.item<float>(), shardedLoss.item<float>(), 6);
        var localGrads = local.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        var shardedGrads = sharded.named_parameters().Select(p => (p.name, p.parameter))
            .Concat(shards.Shards.SelectMany(s => s.NamedParameters()))
            .ToDictionary(p => p.Item1, p => p.Item2.grad);
        Assert.Equal(localGrads.Keys.Order(), shardedGrads.Keys.Order());
        Assert.Contains(localGrads.Keys, k => k.Contains(".mlp.experts.5.down_proj", StringComparison.Ordinal));
        foreach (var (name, grad) in localGrads)
        {
            var other = shardedGrads[name];
            if (grad is null) { Assert.Null(other); continue; }
            Assert.NotNull(other);
            double difference = (grad - other!).abs().max().item<float>();
            Assert.True(difference <= 1e-5, $"{name}: gradients differ by {difference}");
        }
        Assert.All(shards.Shards, s => Assert.Equal(0, s.PendingCalls));
        // Every (token, slot) row of every MoE layer crossed four times: rows out, outputs back, gradients out and back.
        long rows = ids.numel() * Config.ExpertsPerToken * Config.MoeLayers.Count;
        Assert.Equal(rows * Config.HiddenSize * sizeof(float) * 4, shards.Executor.BytesMoved);
    }

    [Fact]
    public void A_sharded_policy_names_no_routed_expert_and_a_no_grad_pass_records_nothing()
    {
        using var scope = NewDisposeScope();
        using var policy = new PolicyModel(Config, seed: 5);
        using var shards = ExpertShardSet.Distribute(policy, 3);
        Assert.DoesNotContain(policy.state_dict().Keys, k => k.Contains(".mlp.experts.", StringComparison.Ordinal));
        Assert.Contains(policy.state_dict().Keys, k => k.Contains(".mlp.shared_experts.", StringComparison.Ordinal));
        Assert.Equal(2 * 6 * 3, shards.Weights().Count());
        using (no_grad()) Loss(policy, randint(0, Config.VocabSize, [2, 5]));
        Assert.All(shards.Shards, s => Assert.Equal(0, s.PendingCalls));
        Assert.Throws<InvalidOperationException>(() => policy.MoeLayers.First().Expert(0));
    }

    [Fact]
    public void An_update_is_applied_once_and_a_repeat_or_older_one_changes_nothing()
    {
        using var scope = NewDisposeScope();
        using var policy = new PolicyModel(Config, seed: 5);
        using var shards = ExpertShardSet.Distribute(policy, 2);
        shards.AttachOptimizers(ps => optim.AdamW(ps, lr: 0.01));
        policy.train();
        shards.ZeroGrad();
        Loss(policy, randint(0, Config.VocabSize, [2, 6])).backward();
        var shard = shards.Shards[0];
        var before = shard.NamedParameters().Select(p => p.Parameter.detach().clone()).ToArray();

        Assert.True(shard.ApplyUpdate(1, 0.01, 1.0));
        var once = shard.NamedParameters().Select(p => p.Parameter.detach().clone()).ToArray();
        Assert.False(shard.ApplyUpdate(1, 0.01, 1.0));   // a retried request
        var twice = shard.NamedParameters().Select(p => p.Parameter.detach().clone()).ToArray();

        Assert.Contains(before.Zip(once), p => !p.First.equal(p.Second).all().item<bool>());
        Assert.All(once.Zip(twice), p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
        Assert.False(shard.ApplyUpdate(0, 0.01, 1.0));   // an older one
        Assert.Equal(1, shard.LastUpdate);
    }

    [Fact]
    public void A_backward_without_its_forward_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        using var shard = new ExpertShard(Config, ExpertPlacement.For(Config, 2), 1);
        var message = Assert.Throws<InvalidOperationException>(() => shard.Backward(new ExpertBackward(42, [zeros(1, Config.HiddenSize)]))).Message;
        Assert.Contains("call 42", message);
        Assert.Contains("does not hold expert 0",
            Assert.Throws<ArgumentException>(() => shard.Forward(new ExpertForward(1, 0, [0], [zeros(1, Config.HiddenSize)], false))).Message);
    }
}
