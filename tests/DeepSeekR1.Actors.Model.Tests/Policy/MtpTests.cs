using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// DeepSeek-V3's multi-token prediction modules: layers after the main stack with V3's parameter names, never run by the
/// main forward, each depth reading the token its depth ahead, and checkpoints that carry them (DeepSeek's per-layer
/// copies of the shared embedding and head accepted only when they are copies).
/// </summary>
public class MtpTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("r1-mtp-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ModelConfig Dense(int depths = 2) => TinyModels.Dense() with { MtpLayers = depths, TieWordEmbeddings = false };

    private static Tensor Ids => tensor(new long[] { 5, 9, 14, 3, 22, 7, 31, 8, 2, 11, 40, 6 }, [2, 6]);

    private static float[] Values(Tensor t) => t.detach().contiguous().flatten().data<float>().ToArray();

    [Fact]
    public void The_modules_are_layers_after_the_main_stack_under_deepseek_v3s_names()
    {
        using var model = new PolicyModel(Dense(depths: 1), seed: 3);
        var names = model.state_dict().Keys.ToHashSet();
        int h = model.Config.HiddenSize;
        foreach (string name in (string[])["enorm.weight", "hnorm.weight", "eh_proj.weight", "shared_head.norm.weight",
                     "input_layernorm.weight", "self_attn.q_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight"])
            Assert.Contains($"model.layers.2.{name}", names);
        Assert.Equal([(long)h, 2L * h], model.state_dict()["model.layers.2.eh_proj.weight"].shape);
        Assert.DoesNotContain("model.layers.1.enorm.weight", names);   // main layers have none of it
        Assert.Equal(2, model.Decoder.Layers.Count);
        Assert.Single(model.Decoder.MtpLayers);
        Assert.True(model.IsMtpParameter("model.layers.2.eh_proj.weight"));
        Assert.False(model.IsMtpParameter("model.layers.1.self_attn.q_proj.weight"));
        // The FLOP count of the main forward leaves them out.
        using var plain = new PolicyModel(Dense(depths: 0), seed: 3);
        Assert.Equal(plain.ActiveParameters(), model.ActiveParameters());
    }

    [Fact]
    public void The_main_forward_is_the_model_without_the_modules()
    {
        using var model = new PolicyModel(Dense(), seed: 4);
        using var plain = new PolicyModel(Dense(depths: 0), seed: 99);
        var main = model.state_dict().Where(kv => !model.IsMtpParameter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        PolicyCheckpoint.CopyInto(plain, main, "test");
        using var _ = no_grad();
        var positions = arange(6).unsqueeze(0).expand(2, 6);
        Assert.Equal(Values(plain.Forward(Ids, positions)), Values(model.Forward(Ids, positions)));
    }

    [Fact]
    public void Depth_k_at_position_i_reads_tokens_up_to_i_plus_k_and_no_later_one()
    {
        using var model = new PolicyModel(Dense(depths: 2), seed: 5);
        using var _ = no_grad();
        var positions = arange(6).unsqueeze(0).expand(2, 6);
        IReadOnlyList<Tensor> Depths(Tensor ids) => model.MtpHidden(model.Hidden(ids, positions), ids);
        var before = Depths(Ids);
        Assert.Equal([2L, 5L, 32L], before[0].shape);   // depth 1: positions 0..4
        Assert.Equal([2L, 4L, 32L], before[1].shape);   // depth 2: positions 0..3

        // Change token 3 of row 0: depth k's positions i with i + k < 3 must not move; position 3 - k must.
        var changed = Ids.clone();
        changed[0, 3] = tensor(50L);
        var after = Depths(changed);
        for (int depth = 1; depth <= 2; depth++)
        {
            var (b, a) = (before[depth - 1][0], after[depth - 1][0]);
            int first = 3 - depth;   // the first position that reads token 3 (as its embedding)
            Assert.Equal(Values(b.narrow(0, 0, first)), Values(a.narrow(0, 0, first)));
            Assert.True((b[first] - a[first]).abs().max().item<float>() > 1e-4, $"depth {depth} position {first} did not read token 3");
            Assert.Equal(Values(before[depth - 1][1]), Values(after[depth - 1][1]));   // the other row is untouched
        }
        // Logits come through each depth's own shared_head.norm and the model's output head.
        Assert.Equal([2L, 5L, 97L], model.MtpLogits(1, before[0]).shape);
    }

    [Fact]
    public void A_saved_model_with_modules_loads_back_with_identical_module_logits()
    {
        using var model = new PolicyModel(Dense(), seed: 6);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root, "ckpt"));
        using var loaded = PolicyCheckpoint.Load(dir);
        Assert.Equal(2, loaded.Config.MtpLayers);
        using var _ = no_grad();
        var positions = arange(6).unsqueeze(0).expand(2, 6);
        var expected = model.MtpHidden(model.Hidden(Ids, positions), Ids);
        var actual = loaded.MtpHidden(loaded.Hidden(Ids, positions), Ids);
        Assert.Equal(Values(model.MtpLogits(2, expected[1])), Values(loaded.MtpLogits(2, actual[1])));
    }

    [Fact]
    public void DeepSeeks_copies_of_the_shared_embedding_and_head_load_when_equal_and_are_refused_when_not()
    {
        using var model = new PolicyModel(Dense(depths: 1), seed: 7);
        var state = model.state_dict();
        var withCopies = state.ToDictionary(kv => kv.Key, kv => kv.Value);
        withCopies["model.layers.2.embed_tokens.weight"] = state["model.embed_tokens.weight"].clone();
        withCopies["model.layers.2.shared_head.head.weight"] = state["lm_head.weight"].clone();
        string dir = PolicyCheckpoint.Save(model.Config, withCopies, Path.Combine(root, "copies"));
        using (var loaded = PolicyCheckpoint.Load(dir))
            Assert.Equal(Values(state["model.layers.2.eh_proj.weight"]), Values(loaded.state_dict()["model.layers.2.eh_proj.weight"]));

        withCopies["model.layers.2.shared_head.head.weight"] = state["lm_head.weight"] + 0.5f;
        string bad = PolicyCheckpoint.Save(model.Config, withCopies, Path.Combine(root, "differs"));
        var error = Assert.Throws<CheckpointException>(() => PolicyCheckpoint.Load(bad));
        Assert.Contains("'model.layers.2.shared_head.head.weight' differs from 'lm_head.weight'", error.Problem);
    }

    [Fact]
    public void A_moe_module_layer_with_aux_loss_balancing_is_refused_by_name()
    {
        var moe = TinyModels.Moe() with { MtpLayers = 1, MoeLayers = [1, 2] };
        using (var model = new PolicyModel(moe, seed: 8))
            Assert.NotNull(model.Decoder.MtpLayers[0].Moe);   // aux-free: built
        var auxLoss = Assert.Throws<ArgumentException>(() => (moe with { LoadBalancing = LoadBalancing.AuxLoss }).Validate());
        Assert.Contains("load-balancing = aux-free", auxLoss.Message);
    }

    [Fact]
    public void Expert_shards_hold_the_main_layers_experts_and_the_module_layers_experts_stay_with_the_learner()
    {
        var moe = TinyModels.Moe() with { MtpLayers = 1, MoeLayers = [1, 2] };
        var placement = ExpertPlacement.For(moe, 2);
        Assert.Equal([1], placement.MoeLayers);
        Assert.Equal(1, placement.ShardOfTensor("model.layers.1.mlp.experts.3.up_proj.weight"));
        Assert.Null(placement.ShardOfTensor("model.layers.2.mlp.experts.3.up_proj.weight"));   // the module layer's
        Assert.Null(placement.ShardOfTensor("model.layers.1.mlp.shared_experts.up_proj.weight"));
        // Only module layers are MoE: nothing for shards to hold, said by name rather than a run without shards.
        var only = Assert.Throws<ArgumentException>(() => ExpertPlacement.For(moe with { MoeLayers = [2] }, 2));
        Assert.Contains("multi-token prediction layers", only.Message);
    }
}
