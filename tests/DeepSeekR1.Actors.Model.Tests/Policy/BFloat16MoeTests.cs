using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// A bfloat16 MoE policy (issue 23), the way DeepSeek-V3 and Megatron run one: the router scores and picks experts in
/// float32 with a float32 balancing bias, the experts run in bfloat16, their outputs are combined in float32 and rounded
/// once; expert shards train float32 masters of their bfloat16 experts.
/// </summary>
public sealed class BFloat16MoeTests
{
    // Eight routed experts, four per token, a shared expert, MoE in both layers; aux-free balancing (sigmoid scores and
    // the correction bias), as DeepSeek-V3.
    private static ModelConfig Shape => TinyModels.Moe() with
    {
        HiddenSize = 64, IntermediateSize = 128, MoeLayers = [0, 1], NumRoutedExperts = 8, ExpertsPerToken = 4, MoeIntermediateSize = 32,
    };

    private static ModelConfig Bf16(ModelConfig config) => config with { Dtype = ModelDtype.Bfloat16 };

    private static readonly long[] Prompt = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43, 38, 32, 79, 50, 28, 84, 19];

    private static Tensor Logits(PolicyModel model)
    {
        using var noGrad = no_grad();
        var ids = tensor(Prompt).unsqueeze(0);
        return model.Forward(ids, arange(Prompt.Length).unsqueeze(0)).to_type(ScalarType.Float32);
    }

    // A float32 policy holding exactly the bfloat16 policy's values (every bfloat16 number is a float32 one).
    private static PolicyModel Widened(PolicyModel low)
    {
        var wide = new PolicyModel(low.Config with { Dtype = ModelDtype.Float32 }, seed: 1);
        PolicyCheckpoint.CopyInto(wide, low.state_dict(), "the bfloat16 policy");
        return wide;
    }

    [Fact]
    public void A_bfloat16_moe_policy_holds_bfloat16_weights_and_a_float32_balancing_bias_that_accumulates_exactly()
    {
        using var model = new PolicyModel(Bf16(Shape with { BiasUpdateSpeed = 1e-3 }), seed: 4);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var state = model.state_dict();
        Assert.Equal(ScalarType.Float32, state["model.layers.0.mlp.gate.e_score_correction_bias"].dtype);
        var router = model.MoeLayers.First().Router;
        Assert.Same(router.Bias, state["model.layers.0.mlp.gate.e_score_correction_bias"]);
        // Converting again (what a loader or a caller might do) leaves the bias float32 too.
        model.to(ScalarType.BFloat16);
        Assert.Equal(ScalarType.Float32, router.Bias.dtype);
        Assert.Equal(ScalarType.Float32, model.state_dict()["model.layers.0.mlp.gate.e_score_correction_bias"].dtype);

        // 60 balancing steps of 1e-3, each from a training pass over the same tokens: the bias must be the float32 sum of
        // the signed steps. A bfloat16 bias (8 significant bits) rounds each of them, by up to 8e-6 near 0.003.
        using var scope = NewDisposeScope();
        var tokens = randn([256, Shape.HiddenSize], generator: new Generator(6)).to_type(ScalarType.BFloat16);
        var expected = new float[Shape.NumRoutedExperts];
        router.train();
        for (int step = 0; step < 60; step++)
        {
            using (no_grad()) router.Route(tokens);
            long[] load = router.LastTokensPerExpert;
            double mean = load.Average();
            for (int e = 0; e < expected.Length; e++) expected[e] += Math.Sign(mean - load[e]) * 1e-3f;
            router.UpdateBias();
        }
        var bias = router.Bias.data<float>().ToArray();
        Assert.Contains(bias, b => Math.Abs(b) > 0.005);   // the bias moved well away from zero
        for (int e = 0; e < expected.Length; e++)
            Assert.True(Math.Abs(bias[e] - expected[e]) < 1e-7, $"expert {e}: bias {bias[e]}, float32 sum of the steps {expected[e]}");
    }

    [Fact]
    public void The_router_scores_and_picks_in_float32_so_bfloat16_tokens_get_the_experts_a_float32_router_picks_for_the_same_values()
    {
        using var low = new PolicyModel(Bf16(Shape), seed: 5);
        using var wide = Widened(low);
        var lowRouter = low.MoeLayers.First().Router;
        var wideRouter = wide.MoeLayers.First().Router;
        using var scope = NewDisposeScope();
        // A balancing bias of the size training gives it, the same in both.
        var bias = randn([Shape.NumRoutedExperts], generator: new Generator(2)) * 0.01;
        using (no_grad())
        {
            lowRouter.Bias.copy_(bias);
            wideRouter.Bias.copy_(bias);
        }
        var tokens = randn([4096, Shape.HiddenSize], generator: new Generator(3)).to_type(ScalarType.BFloat16);
        lowRouter.eval();
        wideRouter.eval();
        lowRouter.KeepChoices = wideRouter.KeepChoices = true;
        using var noGrad = no_grad();
        var lowDecision = lowRouter.Route(tokens);
        var wideDecision = wideRouter.Route(tokens.to_type(ScalarType.Float32));
        Assert.Equal(ScalarType.Float32, lowDecision.Weights.dtype);

        // A near-tie is a token whose k-th and (k+1)-th choice scores are within 1e-5 (float32 summation order alone can
        // flip those); every other token must get the same experts in the same order. Scored in bfloat16, the scores
        // (sigmoids near 0.5, spaced 2^-8 apart) would tie and swap on hundreds of these tokens.
        var choice = ChoiceScores(wide, tokens);
        var sorted = choice.sort(-1, descending: true).Values;
        var margin = (sorted[.., Shape.ExpertsPerToken - 1] - sorted[.., Shape.ExpertsPerToken]).data<float>().ToArray();
        int checkedTokens = 0;
        for (int t = 0; t < margin.Length; t++)
        {
            if (margin[t] <= 1e-5) continue;
            checkedTokens++;
            Assert.True(lowRouter.LastChoices[t].SequenceEqual(wideRouter.LastChoices[t]),
                $"token {t} (margin {margin[t]}): bfloat16 picks {string.Join(",", lowRouter.LastChoices[t])}, float32 {string.Join(",", wideRouter.LastChoices[t])}");
        }
        Assert.True(checkedTokens > 4000, $"only {checkedTokens} tokens without a near-tie");
        double weightDifference = (lowDecision.Weights - wideDecision.Weights).abs().max().item<float>();
        Assert.True(weightDifference < 1e-6, $"gate weights differ by {weightDifference}");
    }

    // The float32 router's choice scores (sigmoid + bias) for the tokens, computed here from its weight.
    private static Tensor ChoiceScores(PolicyModel wide, Tensor tokens)
    {
        var state = wide.state_dict();
        var logits = nn.functional.linear(tokens.to_type(ScalarType.Float32), state["model.layers.0.mlp.gate.weight"]);
        return logits.sigmoid() + state["model.layers.0.mlp.gate.e_score_correction_bias"];
    }

    [Fact]
    public void The_layer_sums_a_tokens_bfloat16_expert_outputs_in_float32_and_rounds_once()
    {
        var shape = Bf16(Shape with { NumSharedExperts = 0 });
        using var model = new PolicyModel(shape, seed: 6);
        var layer = model.MoeLayers.First();
        layer.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = (randn([512, shape.HiddenSize], generator: new Generator(8)) * 4).to_type(ScalarType.BFloat16);
        var output = layer.forward(x).to_type(ScalarType.Float64);

        // The reference: each expert run on its tokens in token order (the rows the layer gives it, so its bfloat16 outputs
        // are the layer's bit for bit), weighted with the float32 gate weights and summed exactly (float64), rounded once.
        var decision = layer.Router.Route(x);
        var chosen = decision.Experts.data<long>().ToArray();
        int k = shape.ExpertsPerToken;
        var exact = zeros([x.shape[0], shape.HiddenSize], ScalarType.Float64);
        for (int e = 0; e < shape.NumRoutedExperts; e++)
        {
            var slots = Enumerable.Range(0, chosen.Length).Where(s => chosen[s] == e).ToArray();
            if (slots.Length == 0) continue;
            var rows = tensor(slots.Select(s => (long)(s / k)).ToArray());
            var y = layer.Expert(e).forward(x.index_select(0, rows)).to_type(ScalarType.Float64);
            var w = decision.Weights.flatten().index_select(0, tensor(slots.Select(s => (long)s).ToArray())).to_type(ScalarType.Float64);
            exact.index_add_(0, rows, y * w.unsqueeze(1), 1);
        }
        var rounded = exact.to_type(ScalarType.BFloat16).to_type(ScalarType.Float64);
        // float32 accumulation, then one rounding: the correctly rounded sum except where the exact sum lies within
        // float32 noise of a rounding boundary (a handful of the 32k values), and never more than one bfloat16 step away.
        // A bfloat16 accumulator rounds after each of the four products and each addition: thousands would differ.
        double differing = output.ne(rounded).to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(differing < 0.002, $"{differing:P2} of the outputs are not the once-rounded sum");
        var step = exact.abs().clamp_min(1e-30).log2().floor().sub(7).exp2();   // one bfloat16 step at each value
        double worst = ((output - exact).abs() / step).max().item<double>();
        Assert.True(worst <= 1.0, $"an output is {worst} bfloat16 steps from the exact sum");
    }

    [Fact]
    public void Bfloat16_moe_logits_are_within_bfloat16_rounding_of_float32_and_pick_the_same_experts_where_there_is_no_near_tie()
    {
        using var wide = new PolicyModel(Shape, seed: 9);
        using var low = new PolicyModel(Bf16(Shape), seed: 9);
        foreach (var layer in wide.MoeLayers.Concat(low.MoeLayers)) layer.Router.KeepChoices = true;
        using var scope = NewDisposeScope();
        var reference = Logits(wide);
        var logits = Logits(low);
        // Stated tolerance, as for the dense policy (BFloat16PolicyTests): the largest logit error within 3% of the largest
        // logit, the mean within 1%, the same argmax at three positions in four or more.
        double scale = reference.abs().max().item<float>();
        double max = (logits - reference).abs().max().item<float>();
        double mean = (logits - reference).abs().mean().item<float>();
        Assert.True(max < 0.03 * scale, $"max |bf16 - f32| = {max} for logits up to {scale}");
        Assert.True(mean < 0.01 * scale, $"mean |bf16 - f32| = {mean} for logits up to {scale}");
        Assert.True(max > 0, "bfloat16 logits equal float32 ones exactly: the model did not compute in bfloat16");
        double agree = logits.argmax(-1).eq(reference.argmax(-1)).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(agree >= 0.75, $"argmax agrees at {agree:P0} of positions");

        // Expert choice: the float32 model's margin between its k-th and (k+1)-th choice scores at each token, recomputed
        // from its router input, must exceed what bfloat16 activations move a score by (0.02 here) for the choice to be
        // well defined; at every such token the bfloat16 model picks the same experts.
        var wideLayers = wide.MoeLayers.ToList();
        var lowLayers = low.MoeLayers.ToList();
        int compared = 0, total = 0;
        for (int l = 0; l < wideLayers.Count; l++)
        {
            var w = wideLayers[l].Router.LastChoices;
            var b = lowLayers[l].Router.LastChoices;
            Assert.Equal(Prompt.Length, w.Length);
            Assert.Equal(Prompt.Length, b.Length);
            for (int t = 0; t < w.Length; t++)
            {
                total++;
                if (w[t].Order().SequenceEqual(b[t].Order())) { compared++; continue; }
                double gap = ChoiceMargin(wide, l, t);
                Assert.True(gap < 0.02, $"layer {l} token {t}: float32 picks {string.Join(",", w[t])}, bfloat16 {string.Join(",", b[t])}, with a float32 margin of {gap}");
            }
        }
        Assert.True(compared >= 0.9 * total, $"the same experts at only {compared} of {total} token-layers");
    }

    // The float32 model's margin between its k-th and (k+1)-th choice score at token t of MoE layer l, from the router
    // input a second pass captures through the layer's executor.
    private static double ChoiceMargin(PolicyModel wide, int l, int t)
    {
        var layer = wide.MoeLayers.ElementAt(l);
        var capture = new CapturingExecutor(layer.Executor);
        layer.Executor = capture;
        try
        {
            using var noGrad = no_grad();
            wide.Forward(tensor(Prompt).unsqueeze(0), arange(Prompt.Length).unsqueeze(0));
        }
        finally
        {
            layer.Executor = capture.Inner;
        }
        var choices = layer.Router.LastChoices;
        // Each expert's block holds its tokens in token order: find token t's row in the block of its first expert.
        int expert = (int)choices[t][0];
        int row = Enumerable.Range(0, t).Count(u => choices[u].Contains(expert));
        var input = capture.Blocks[expert][row].unsqueeze(0);
        var state = wide.state_dict();
        string gate = $"model.layers.{wide.Config.MoeLayers[l]}.mlp.gate";
        var scores = (nn.functional.linear(input, state[$"{gate}.weight"]).sigmoid() + state[$"{gate}.e_score_correction_bias"]).sort(-1, descending: true).Values;
        int k = wide.Config.ExpertsPerToken;
        return (scores[0, k - 1] - scores[0, k]).item<float>();
    }

    // Runs the experts as before and keeps each expert's token block.
    private sealed class CapturingExecutor(IExpertExecutor inner) : IExpertExecutor
    {
        public IExpertExecutor Inner => inner;

        public Dictionary<int, Tensor> Blocks { get; } = [];

        public IReadOnlyList<Tensor> Forward(int layer, IReadOnlyList<ExpertInput> inputs)
        {
            foreach (var input in inputs) Blocks[input.Expert] = input.Tokens.detach().clone();
            return inner.Forward(layer, inputs);
        }
    }

    [Fact]
    public void A_bfloat16_expert_shard_steps_float32_masters_so_updates_below_bfloat16_resolution_reach_its_experts()
    {
        using var policy = new PolicyModel(Bf16(Shape), seed: 7);
        using var shards = ExpertShardSet.Distribute(policy, 2);
        shards.AttachOptimizers(ps => optim.AdamW(ps, lr: 1e-4, weight_decay: 0));
        var shard = shards.Shards[0];
        Assert.True(shard.KeepsMasters);
        Assert.All(shard.NamedParameters(), p => Assert.Equal(ScalarType.BFloat16, p.Parameter.dtype));
        Assert.All(shard.NamedTrainable(), p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        Assert.All(shard.Optimizer.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        // The masters start as the policy's bfloat16 experts.
        using (var scope = NewDisposeScope())
            foreach (var ((name, p), (_, m)) in shard.NamedParameters().Zip(shard.NamedTrainable()))
                Assert.True(p.to_type(ScalarType.Float32).eq(m).all().item<bool>(), $"{name}: master differs from the weight");

        // Every expert weight 1.0 (its bfloat16 neighbours are 1 - 2^-8 and 1 + 2^-7): 40 AdamW updates of 1e-4 each
        // move it by 0.004, one bfloat16 step, only if they accumulate somewhere wider than bfloat16.
        using (var scope = NewDisposeScope())
            shard.LoadFrom(shard.NamedParameters().ToDictionary(p => p.Name, p => ones_like(p.Parameter)), "test");
        for (long update = 1; update <= 40; update++)
        {
            using var scope = NewDisposeScope();
            shard.ZeroGrad();
            using (no_grad())
                foreach (var (_, p) in shard.NamedParameters()) p.grad = ones_like(p);
            shard.ApplyUpdate(update, learningRate: 1e-4, gradScale: 1.0);
        }
        using (var scope = NewDisposeScope())
        {
            foreach (var ((name, p), (_, m)) in shard.NamedParameters().Zip(shard.NamedTrainable()))
            {
                float weight = p.to_type(ScalarType.Float32).max().item<float>();
                float master = m.max().item<float>();
                Assert.True(Math.Abs(master - (1 - 40 * 1e-4)) < 2e-4, $"{name}: master {master} after 40 updates of 1e-4");
                Assert.True(1 - weight >= 1f / 256, $"{name}: the bfloat16 weight moved by {1 - weight}: the updates were lost to rounding");
                Assert.True(p.eq(m.to_type(ScalarType.BFloat16)).all().item<bool>(), $"{name}: the weight is not its master rounded");
            }
        }
    }

    [Fact]
    public void A_bfloat16_shard_restores_its_masters_exactly_from_its_own_snapshot()
    {
        using var policy = new PolicyModel(Bf16(Shape), seed: 8);
        using var shards = ExpertShardSet.Distribute(policy, 2);
        var shard = shards.Shards[1];
        using var scope = NewDisposeScope();
        // Masters with bits below bfloat16 resolution, as training leaves them.
        var snapshot = shard.NamedTrainable().ToDictionary(p => p.Name, p => (Tensor)(p.Parameter.detach() + 1e-5f));
        shard.LoadFrom(snapshot, "a snapshot");
        using var replacement = new ExpertShard(policy.Config, shards.Placement, 1);
        replacement.LoadFrom(shard.NamedTrainable().ToDictionary(p => p.Name, p => (Tensor)p.Parameter), "the snapshot");
        foreach (var ((name, m), (_, restored)) in shard.NamedTrainable().Zip(replacement.NamedTrainable()))
        {
            Assert.Equal(ScalarType.Float32, restored.dtype);
            Assert.True(m.eq(restored).all().item<bool>(), $"{name}: restored master differs");
            Assert.True(snapshot[name].eq(restored).all().item<bool>(), $"{name}: the master is not the snapshot's value");
        }
        foreach (var ((name, p), (_, restored)) in shard.NamedParameters().Zip(replacement.NamedParameters()))
            Assert.True(p.eq(restored).all().item<bool>(), $"{name}: restored bfloat16 expert differs");
    }

    [Fact]
    public void A_bfloat16_policy_on_shards_computes_the_loss_and_gradients_of_its_local_layers()
    {
        var shape = Bf16(Shape);
        using var local = new PolicyModel(shape, seed: 10);
        using var sharded = new PolicyModel(shape, seed: 10);
        using var shards = ExpertShardSet.Distribute(sharded, 2);
        local.train();
        sharded.train();
        using var scope = NewDisposeScope();
        var ids = randint(0, shape.VocabSize, [3, 9], generator: new Generator(7));
        Tensor Loss(PolicyModel p)
        {
            var logits = p.Forward(ids, arange(9).unsqueeze(0).expand(3, 9)).to_type(ScalarType.Float32);
            return (logits.log_softmax(-1) * linspace(-1, 1, logits.shape[^1])).mean();
        }
        var localLoss = Loss(local);
        localLoss.backward();
        var shardedLoss = Loss(sharded);
        shardedLoss.backward();
        Assert.Equal(localLoss.item<float>(), shardedLoss.item<float>(), 5);
        var shardGrads = shards.Shards.SelectMany(s => s.NamedParameters()).ToDictionary(p => p.Name, p => p.Parameter.grad);
        Assert.NotEmpty(shardGrads);
        foreach (var (name, p) in local.named_parameters().Where(p => shardGrads.ContainsKey(p.name)))
        {
            var mine = shardGrads[name];
            if (p.grad is null) { Assert.Null(mine); continue; }
            Assert.Equal(ScalarType.BFloat16, mine!.dtype);
            double scale = p.grad.abs().max().to_type(ScalarType.Float32).item<float>();
            double difference = (p.grad - mine).abs().max().to_type(ScalarType.Float32).item<float>();
            Assert.True(difference <= 0.02 * scale + 1e-8, $"{name}: gradients differ by {difference} (largest {scale})");
        }
    }
}
