using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tests.Policy;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

/// <summary>
/// deepseek_v3 config.json as transformers' DeepseekV3Config writes it: latent attention and V3 routing read by name,
/// what is not implemented refused by name, and this project's own earlier deepseek_v3 files (GQA + MoE) still read.
/// </summary>
public class DeepseekV3ConfigTests
{
    /// <summary>DeepSeek-V3's config.json, shrunk (same keys, small numbers), without its yarn rope_scaling, MTP and fp8 keys.</summary>
    private const string V3Style = """
        {
          "architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3", "attention_bias": false,
          "attention_dropout": 0.0, "aux_loss_alpha": 0.001, "bos_token_id": 0, "eos_token_id": 1, "ep_size": 1,
          "first_k_dense_replace": 1, "hidden_act": "silu", "hidden_size": 64, "initializer_range": 0.02,
          "intermediate_size": 96, "kv_lora_rank": 32, "max_position_embeddings": 256, "moe_intermediate_size": 16,
          "moe_layer_freq": 1, "n_group": 4, "n_routed_experts": 16, "n_shared_experts": 1, "norm_topk_prob": true,
          "num_attention_heads": 4, "num_experts_per_tok": 4, "num_hidden_layers": 3, "num_key_value_heads": 4,
          "num_nextn_predict_layers": 0, "q_lora_rank": 48, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8,
          "rms_norm_eps": 1e-06, "rope_theta": 10000, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid",
          "seq_aux": true, "tie_word_embeddings": false, "topk_group": 2, "topk_method": "noaux_tc",
          "torch_dtype": "bfloat16", "transformers_version": "4.46.3", "use_cache": true, "v_head_dim": 16,
          "vocab_size": 300
        }
        """;

    [Fact]
    public void A_v3_style_config_reads_as_latent_attention_with_v3_routing()
    {
        var c = HfConfigJson.Parse(V3Style, "v3/config.json");
        Assert.Equal(AttentionKind.Mla, c.Attention);
        Assert.Equal((48, 32, 16, 8, 16), (c.QLoraRank, c.KvLoraRank, c.QkNopeHeadDim, c.QkRopeHeadDim, c.VHeadDim));
        Assert.True(c.RopeInterleave);   // absent: transformers' default
        Assert.Equal([1, 2], c.MoeLayers);
        Assert.Equal((16, 1, 4, 16), (c.NumRoutedExperts, c.NumSharedExperts, c.ExpertsPerToken, c.MoeIntermediateSize));
        Assert.Equal((4, 2), (c.ExpertGroups, c.ExpertGroupsPerToken));
        Assert.True(c.SigmoidScores);
        Assert.Equal(LoadBalancing.AuxFree, c.LoadBalancing);   // the correction bias steers the choice
        Assert.True(c.NormTopkProb);
        Assert.Equal(2.5, c.RoutedScalingFactor);
        Assert.Equal(8, c.RopeHeadDim);
        Assert.Equal(3L * (32 + 8), c.KvCacheElementsPerToken);
    }

    [Fact]
    public void A_null_q_lora_rank_is_a_plain_q_proj_and_an_absent_one_is_refused()
    {
        Assert.Equal(0, HfConfigJson.Parse(V3Style.Replace("\"q_lora_rank\": 48", "\"q_lora_rank\": null"), "c.json").QLoraRank);
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(V3Style.Replace("\"q_lora_rank\": 48,", ""), "c.json"));
        Assert.Contains("'q_lora_rank' is missing", error.Problem);
    }

    [Theory]
    [InlineData("\"use_cache\": true", "\"quantization_config\": {\"quant_method\": \"fp8\"}", "'quantization_config' is set")]
    [InlineData("\"topk_method\": \"noaux_tc\"", "\"topk_method\": \"group_limited_greedy\"", "topk_method 'group_limited_greedy'")]
    [InlineData("\"scoring_func\": \"sigmoid\"", "\"scoring_func\": \"sqrtsoftplus\"", "scoring_func 'sqrtsoftplus'")]
    [InlineData("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 2", "'num_key_value_heads' is 2")]
    [InlineData("\"use_cache\": true", "\"head_dim\": 16", "head_dim 16 differs from qk_rope_head_dim (8)")]
    [InlineData("\"attention_bias\": false", "\"attention_bias\": true", "'attention_bias' is true")]
    [InlineData("\"use_cache\": true", "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 40, \"mscale\": 1.0, \"mscale_all_dim\": 1.0}", "required key 'rope_scaling.original_max_position_embeddings' is missing (DeepSeek's modeling code would take 4096)")]
    [InlineData("\"n_group\": 4", "\"n_group\": 3", "expert-groups must divide num-routed-experts")]
    [InlineData("\"qk_rope_head_dim\": 8", "\"qk_rope_head_dim\": 7", "qk-rope-head-dim must be positive and even")]
    public void What_is_not_implemented_is_refused_by_name(string from, string to, string expected)
    {
        Assert.Contains(from, V3Style);
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(V3Style.Replace(from, to), "c.json"));
        Assert.Contains(expected, error.Problem);
    }

    [Fact]
    public void A_v3_config_with_a_multi_token_prediction_layer_builds_it_after_the_main_layers_with_v3s_moe_rule()
    {
        var c = HfConfigJson.Parse(V3Style.Replace("\"num_nextn_predict_layers\": 0", "\"num_nextn_predict_layers\": 1"), "v3/config.json");
        Assert.Equal((3, 1), (c.NumLayers, c.MtpLayers));
        // first_k_dense_replace = 1, moe_layer_freq = 1 over all four layers: the MTP layer (3) is MoE, as DeepSeek-V3's 61.
        Assert.Equal([1, 2, 3], c.MoeLayers);
        var json = HfConfigJson.ToJson(c);
        Assert.Contains("\"num_nextn_predict_layers\": 1", json);
        Assert.Contains("\"first_k_dense_replace\": 1", json);
        Assert.Equal(json, HfConfigJson.ToJson(HfConfigJson.Parse(json, "c.json")));
        var error = Assert.Throws<CheckpointException>(() =>
            HfConfigJson.Parse(V3Style.Replace("\"num_nextn_predict_layers\": 0", "\"num_nextn_predict_layers\": -1"), "c.json"));
        Assert.Contains("'num_nextn_predict_layers' must not be negative", error.Problem);
    }

    [Fact]
    public void Multi_token_prediction_on_another_model_type_is_refused()
    {
        const string llama = """
            {"model_type":"llama","vocab_size":100,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
             "num_attention_heads":4,"max_position_embeddings":128,"eos_token_id":1,"num_nextn_predict_layers":1}
            """;
        Assert.Contains("'num_nextn_predict_layers' is 1: multi-token prediction is implemented for model_type deepseek_v3, not llama",
            Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(llama, "c.json")).Problem);
    }

    [Fact]
    public void Latent_attention_keys_on_another_model_type_are_refused()
    {
        const string qwen = """
            {"model_type":"qwen2","vocab_size":100,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
             "num_attention_heads":4,"max_position_embeddings":128,"eos_token_id":1,"kv_lora_rank":16}
            """;
        Assert.Contains("'kv_lora_rank' is set", Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(qwen, "c.json")).Problem);
    }

    [Fact]
    public void A_latent_attention_config_round_trips_and_says_what_transformers_needs()
    {
        var config = TinyModels.Moe() with
        {
            Attention = AttentionKind.Mla, QLoraRank = 24, KvLoraRank = 16, QkNopeHeadDim = 8, QkRopeHeadDim = 4, VHeadDim = 12,
            RopeInterleave = false, ExpertGroups = 2, ExpertGroupsPerToken = 1, NumKvHeads = 4,
        };
        var json = HfConfigJson.ToJson(config);
        Assert.Contains("\"model_type\": \"deepseek_v3\"", json);
        Assert.Contains("\"num_nextn_predict_layers\": 0", json);
        Assert.Contains("\"topk_method\": \"noaux_tc\"", json);
        Assert.Contains("\"scoring_func\": \"sigmoid\"", json);
        var back = HfConfigJson.Parse(json, "c.json");
        Assert.Equal(json, HfConfigJson.ToJson(back));
        Assert.Equal(config.MoeLayers, back.MoeLayers);

        // A dense model with latent attention is a deepseek_v3 whose every layer comes before first_k_dense_replace.
        var dense = config with { MoeLayers = [], QLoraRank = 0 };
        var denseJson = HfConfigJson.ToJson(dense);
        Assert.Contains("\"q_lora_rank\": null", denseJson);
        Assert.Contains($"\"first_k_dense_replace\": {dense.NumLayers}", denseJson);
        var denseBack = HfConfigJson.Parse(denseJson, "c.json");
        Assert.Empty(denseBack.MoeLayers);
        Assert.Equal((AttentionKind.Mla, 0), (denseBack.Attention, denseBack.QLoraRank));
    }

    [Fact]
    public void This_projects_earlier_deepseek_v3_files_with_grouped_query_attention_still_read_as_they_were_written()
    {
        var config = TinyModels.Moe();
        var json = HfConfigJson.ToJson(config);
        Assert.DoesNotContain("kv_lora_rank", json);
        var back = HfConfigJson.Parse(json, "c.json");
        Assert.Equal(AttentionKind.Gqa, back.Attention);
        Assert.Equal(config.NumKvHeads, back.NumKvHeads);
        Assert.Equal((1, 1), (back.ExpertGroups, back.ExpertGroupsPerToken));
    }
}
