using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// DeepSeek-V3's routing settings (scoring-func, expert-groups, expert-groups-per-token) and the pin that their shipped
/// defaults leave the routers of existing models exactly as they were.
/// </summary>
public class V3RoutingTests
{
    private static Tensor Tokens(ModelConfig config, int n = 37, long seed = 3)
    {
        using var generator = new Generator((ulong)seed);
        return randn([n, config.HiddenSize], generator: generator);
    }

    [Fact]
    public void The_shipped_defaults_are_grouped_query_attention_and_unlimited_automatic_routing()
    {
        var defaults = ModelConfig.Defaults;
        Assert.Equal(AttentionKind.Gqa, defaults.Attention);
        Assert.Equal(ScoringFunc.Auto, defaults.ScoringFunc);
        Assert.Equal((1, 1), (defaults.ExpertGroups, defaults.ExpertGroupsPerToken));
    }

    [Theory]
    [InlineData(LoadBalancing.AuxFree)]
    [InlineData(LoadBalancing.AuxLoss)]
    public void With_the_defaults_a_router_decides_bit_for_bit_as_before_these_settings(LoadBalancing balancing)
    {
        // The rule before scoring-func and expert groups existed, written out: sigmoid + bias with aux-free, softmax
        // without bias with aux-loss; top-k; gather; renormalise; scale.
        var config = TinyModels.Moe(balancing) with { RoutedScalingFactor = 1.7 };
        using var router = new MoeRouter(config);
        using (no_grad()) router.Bias.copy_(randn(config.NumRoutedExperts) * 0.3);
        using var scope = NewDisposeScope();
        var tokens = Tokens(config);
        var logits = nn.functional.linear(tokens, router.parameters().First());
        var scores = balancing == LoadBalancing.AuxFree ? logits.sigmoid() : logits.softmax(-1);
        var chosen = (balancing == LoadBalancing.AuxFree ? scores + router.Bias : scores).topk(config.ExpertsPerToken, dim: -1).indexes;
        var weights = scores.gather(-1, chosen);
        weights = weights / (weights.sum(-1, keepdim: true) + 1e-20) * config.RoutedScalingFactor;

        var decision = router.Route(tokens);
        Assert.Equal(chosen.data<long>().ToArray(), decision.Experts.data<long>().ToArray());
        Assert.Equal(weights.data<float>().ToArray(), decision.Weights.data<float>().ToArray());
    }

    [Fact]
    public void Allowing_every_group_decides_exactly_as_no_group_limit()
    {
        var config = TinyModels.Moe() with { NumRoutedExperts = 8, ExpertsPerToken = 3 };
        using var unlimited = new MoeRouter(config);
        using var allGroups = new MoeRouter(config with { ExpertGroups = 4, ExpertGroupsPerToken = 4 });
        allGroups.load_state_dict(unlimited.state_dict());
        using var scope = NewDisposeScope();
        var tokens = Tokens(config);
        var a = unlimited.Route(tokens);
        var b = allGroups.Route(tokens);
        Assert.Equal(a.Experts.sort(-1).Values.data<long>().ToArray(), b.Experts.sort(-1).Values.data<long>().ToArray());
    }

    [Fact]
    public void A_token_chooses_only_from_its_best_groups_scored_by_their_top_two()
    {
        // 6 experts in 3 groups of 2; one group allowed per token, 2 experts per token.
        var config = TinyModels.Moe() with { NumRoutedExperts = 6, ExpertsPerToken = 2, ExpertGroups = 3, ExpertGroupsPerToken = 1 };
        using var router = new MoeRouter(config);
        using var scope = NewDisposeScope();
        // Choose the router weights so that the sigmoid scores of token 0 are known: the single best expert (4) sits in a
        // group whose pair sums lower than group 0's (experts 0 and 1, both good but not best).
        float[] logits = [2.0f, 2.0f, -3.0f, -3.0f, 3.0f, -4.0f];
        using (no_grad())
        {
            var weight = router.parameters().First();
            weight.zero_();
            for (int e = 0; e < 6; e++) weight[e, 0] = logits[e];
        }
        var token = zeros(1, config.HiddenSize);
        token[0, 0] = 1.0f;
        var experts = router.Route(token).Experts.sort(-1).Values.data<long>().ToArray();
        Assert.Equal([0L, 1L], experts);

        // Without the limit, the best single expert wins a slot.
        using var unlimited = new MoeRouter(config with { ExpertGroups = 1, ExpertGroupsPerToken = 1 });
        unlimited.load_state_dict(router.state_dict());
        Assert.Contains(4L, unlimited.Route(token).Experts.data<long>().ToArray());
    }

    [Fact]
    public void Sigmoid_scores_can_be_chosen_with_the_auxiliary_loss()
    {
        var config = TinyModels.Moe(LoadBalancing.AuxLoss) with { ScoringFunc = ScoringFunc.Sigmoid, NormTopkProb = false };
        using var router = new MoeRouter(config);
        using var scope = NewDisposeScope();
        var tokens = Tokens(config);
        var decision = router.Route(tokens);
        var sigmoid = nn.functional.linear(tokens, router.parameters().First()).sigmoid().gather(-1, decision.Experts);
        Assert.True(sigmoid.allclose(decision.Weights));
    }

    [Fact]
    public void A_group_limit_the_experts_cannot_fill_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => (TinyModels.Moe() with { NumRoutedExperts = 8, ExpertsPerToken = 3, ExpertGroups = 4, ExpertGroupsPerToken = 1 }).Validate());
        Assert.Contains("experts-per-token", error.Message);
        Assert.Contains("expert-groups", Assert.Throws<ArgumentException>(() => (TinyModels.Moe() with { ExpertGroups = 3 }).Validate()).Message);
    }
}
