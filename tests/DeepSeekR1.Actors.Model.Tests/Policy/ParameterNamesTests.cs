using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class ParameterNamesTests
{
    [Fact]
    public void Dense_parameters_carry_hugging_face_llama_names()
    {
        using var model = new PolicyModel(TinyModels.Dense() with { TieWordEmbeddings = false, AttentionBias = true });
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.bias", names);
        Assert.Contains("model.layers.0.input_layernorm.weight", names);
        Assert.Contains("model.layers.0.post_attention_layernorm.weight", names);
        Assert.Contains("model.layers.0.mlp.down_proj.weight", names);
        Assert.Contains("model.norm.weight", names);
        Assert.Contains("lm_head.weight", names);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", names);
    }

    [Fact]
    public void Moe_parameters_carry_deepseek_v3_names_and_tied_heads_have_no_lm_head()
    {
        using var model = new PolicyModel(TinyModels.Moe() with { TieWordEmbeddings = true });
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("model.layers.1.mlp.gate.weight", names);
        Assert.Contains("model.layers.1.mlp.gate.e_score_correction_bias", names);
        Assert.Contains("model.layers.1.mlp.experts.3.up_proj.weight", names);
        Assert.Contains("model.layers.1.mlp.shared_experts.gate_proj.weight", names);
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
    }

    [Fact]
    public void Same_seed_builds_the_same_weights()
    {
        using var a = new PolicyModel(TinyModels.Moe(), seed: 4);
        using var b = new PolicyModel(TinyModels.Moe(), seed: 4);
        using var c = new PolicyModel(TinyModels.Moe(), seed: 5);
        var sa = a.state_dict(); var sb = b.state_dict(); var sc = c.state_dict();
        Assert.All(sa.Keys, k => Assert.True(sa[k].eq(sb[k]).all().item<bool>()));
        Assert.False(sa["model.layers.0.self_attn.q_proj.weight"].eq(sc["model.layers.0.self_attn.q_proj.weight"]).all().item<bool>());
    }

    [Fact]
    public void Bad_shape_names_the_key()
    {
        var e = Assert.Throws<ArgumentException>(() => new PolicyModel(TinyModels.Dense() with { NumHeads = 5 }));
        Assert.Contains("num-heads", e.Message);
    }
}
