using DeepSeekR1.Actors.Model.Tests.Policy;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Tests.Checkpoints;

public class HfConfigJsonTests
{
    /// <summary>Written by hand in the form of Qwen2.5-0.5B's config.json (including keys this model ignores).</summary>
    private const string Qwen25HalfB = """
        {
          "architectures": ["Qwen2ForCausalLM"],
          "attention_dropout": 0.0,
          "bos_token_id": 151643,
          "eos_token_id": 151643,
          "hidden_act": "silu",
          "hidden_size": 896,
          "initializer_range": 0.02,
          "intermediate_size": 4864,
          "max_position_embeddings": 32768,
          "max_window_layers": 24,
          "model_type": "qwen2",
          "num_attention_heads": 14,
          "num_hidden_layers": 24,
          "num_key_value_heads": 2,
          "rms_norm_eps": 1e-06,
          "rope_theta": 1000000.0,
          "sliding_window": 32768,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.1",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 151936
        }
        """;

    private static void AssertSame(ModelConfig expected, ModelConfig actual)
    {
        // Records compare lists by reference; compare the layer list by value and the rest field by field.
        Assert.Equal(expected.MoeLayers.Order(), actual.MoeLayers.Order());
        Assert.Equal(expected with { MoeLayers = [] }, actual with { MoeLayers = [] });
    }

    [Fact]
    public void Parses_a_qwen25_style_config()
    {
        var config = HfConfigJson.Parse(Qwen25HalfB, "qwen/config.json");
        Assert.Equal(151936, config.VocabSize);
        Assert.Equal(896, config.HiddenSize);
        Assert.Equal(4864, config.IntermediateSize);
        Assert.Equal(24, config.NumLayers);
        Assert.Equal(14, config.NumHeads);
        Assert.Equal(2, config.NumKvHeads);
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(32768, config.MaxPositionEmbeddings);
        Assert.Equal(1_000_000.0, config.RopeTheta);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.True(config.TieWordEmbeddings);
        Assert.True(config.AttentionBias);
        Assert.Equal(151643, config.BosTokenId);
        Assert.Equal(151643, config.EosTokenId);
        Assert.Equal(151643, config.PadTokenId); // absent: falls back to eos
        Assert.Empty(config.MoeLayers);
    }

    [Fact]
    public void Dense_config_round_trips()
    {
        var config = TinyModels.Shipped with { VocabSize = 1000, HiddenSize = 64, NumHeads = 8, NumKvHeads = 2, AttentionBias = true, BosTokenId = 1, EosTokenId = 2, PadTokenId = 0, TieWordEmbeddings = false, RopeTheta = 500000, RmsNormEps = 1e-5 };
        var json = HfConfigJson.ToJson(config, "bfloat16");
        Assert.Contains("\"model_type\": \"qwen2\"", json);
        AssertSame(config, HfConfigJson.Parse(json, "c.json"));

        var llama = config with { AttentionBias = false, BosTokenId = -1 };
        var llamaJson = HfConfigJson.ToJson(llama);
        Assert.Contains("\"model_type\": \"llama\"", llamaJson);
        AssertSame(llama, HfConfigJson.Parse(llamaJson, "c.json"));
    }

    [Fact]
    public void Moe_config_round_trips_as_deepseek_v3()
    {
        var config = TinyModels.Shipped with {
            NumLayers = 6, MoeLayers = [1, 2, 3, 4, 5], NumRoutedExperts = 16, NumSharedExperts = 2, ExpertsPerToken = 4,
            MoeIntermediateSize = 96, NormTopkProb = false, RoutedScalingFactor = 2.5, LoadBalancing = LoadBalancing.AuxLoss,
            AuxLossAlpha = 0.003, BiasUpdateSpeed = 0.01,
        };
        var json = HfConfigJson.ToJson(config);
        Assert.Contains("\"model_type\": \"deepseek_v3\"", json);
        Assert.Contains("\"first_k_dense_replace\": 1", json);
        Assert.Contains("\"moe_layer_freq\": 1", json);
        AssertSame(config, HfConfigJson.Parse(json, "c.json"));
    }

    [Fact]
    public void Moe_layers_follow_first_k_dense_replace_and_freq_unless_listed_explicitly()
    {
        const string deepseekStyle = """
            {"model_type":"deepseek_v3","vocab_size":100,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":8,
             "num_attention_heads":4,"max_position_embeddings":128,"eos_token_id":[5,6],
             "n_routed_experts":8,"n_shared_experts":1,"num_experts_per_tok":2,"moe_intermediate_size":16,
             "first_k_dense_replace":3,"moe_layer_freq":2,"r1_load_balancing":"aux_free"}
            """;
        var config = HfConfigJson.Parse(deepseekStyle, "d.json");
        Assert.Equal([4, 6], config.MoeLayers);
        Assert.Equal(5, config.EosTokenId); // a list of stop ids: the first
        Assert.Equal(4, config.NumKvHeads); // absent: plain multi-head attention
        Assert.False(config.AttentionBias);
        Assert.Equal(LoadBalancing.AuxFree, config.LoadBalancing);

        var explicitLayers = HfConfigJson.Parse(deepseekStyle.Replace("\"r1_load_balancing\"", "\"r1_moe_layers\":[0,7],\"r1_load_balancing\""), "d.json");
        Assert.Equal([0, 7], explicitLayers.MoeLayers);
    }

    [Fact]
    public void A_layer_set_without_a_dense_replace_form_round_trips_through_the_explicit_list()
    {
        var config = TinyModels.Shipped with { NumLayers = 5, MoeLayers = [1, 2, 4] };
        var json = HfConfigJson.ToJson(config);
        Assert.DoesNotContain("first_k_dense_replace", json);
        AssertSame(config, HfConfigJson.Parse(json, "c.json"));
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("vocab_size")]
    [InlineData("eos_token_id")]
    [InlineData("max_position_embeddings")]
    public void A_missing_required_key_is_named_with_the_file(string key)
    {
        var json = Qwen25HalfB.Replace($"\"{key}\"", $"\"removed_{key}\"");
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(json, "some/config.json"));
        Assert.Equal("some/config.json", error.Path);
        Assert.Contains($"required key '{key}' is missing", error.Message);
    }

    [Theory]
    [InlineData("\"model_type\": \"qwen2\"", "\"model_type\": \"gpt2\"", "model_type 'gpt2' is not supported")]
    [InlineData("\"use_cache\": true", "\"rope_scaling\": {\"type\": \"yarn\"}", "required key 'rope_scaling.factor' is missing")]
    [InlineData("\"use_cache\": true", "\"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0, \"original_max_position_embeddings\": 4096}", "'rope_scaling.original_max_position_embeddings' is 4096, but transformers' dynamic NTK")]
    [InlineData("\"use_cache\": true", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \"extrapolation_factor\": 1.0}", "'rope_scaling.extrapolation_factor' is not a key this loader reads for rope type 'yarn'")]
    [InlineData("\"use_cache\": true", "\"rope_parameters\": {\"rope_type\": \"longrope\", \"rope_theta\": 1000000.0}", "'rope_parameters.rope_type' is 'longrope'")]
    [InlineData("\"use_cache\": true", "\"rope_parameters\": {\"rope_type\": \"llama3\", \"rope_theta\": 1000000.0}", "required key 'rope_parameters.factor' is missing")]
    [InlineData("\"use_cache\": true", "\"rope_parameters\": {\"rope_theta\": 500000.0}", "'rope_theta' (1000000) contradicts 'rope_parameters.rope_theta' (500000)")]
    [InlineData("\"use_cache\": true", "\"rope_parameters\": {\"rope_theta\": \"big\"}", "'rope_parameters.rope_theta' must be a number")]
    [InlineData("\"use_cache\": true", "\"partial_rotary_factor\": 0.5", "'partial_rotary_factor' is 0.5")]
    [InlineData("\"use_sliding_window\": false", "\"use_sliding_window\": true", "sliding-window attention is not implemented")]
    [InlineData("\"use_cache\": true", "\"mlp_bias\": true", "'mlp_bias' is true")]
    [InlineData("\"use_cache\": true", "\"attention_bias\": false", "a qwen2 model always has q/k/v biases")]
    [InlineData("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"", "hidden_act 'gelu'")]
    [InlineData("\"use_cache\": true", "\"head_dim\": 128", "head_dim 128")]
    [InlineData("\"hidden_size\": 896", "\"hidden_size\": \"896\"", "'hidden_size' must be an integer")]
    [InlineData("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", "cannot be built")]
    public void Unsupported_or_inconsistent_configs_are_refused(string from, string to, string expected)
    {
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(Qwen25HalfB.Replace(from, to), "c.json"));
        Assert.Contains(expected, error.Problem);
    }

    [Fact]
    public void Todays_transformers_format_puts_the_rope_base_in_rope_parameters()
    {
        // transformers 5.x writes no top-level rope_theta; reading it as the default base (10,000) gave wrong logits.
        var json = Qwen25HalfB.Replace("\"rope_theta\": 1000000.0,", "\"rope_parameters\": {\"rope_theta\": 1000000.0, \"rope_type\": \"default\"},");
        Assert.False(System.Text.Json.JsonDocument.Parse(json).RootElement.TryGetProperty("rope_theta", out _));
        Assert.Equal(1_000_000.0, HfConfigJson.Parse(json, "c.json").RopeTheta);
        // Linear scaling in the older key.
        var linear = HfConfigJson.Parse(Qwen25HalfB.Replace("\"use_cache\": true", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"), "c.json");
        Assert.Equal(("linear", 2.0), (linear.RopeType, linear.RopeFactor));
        // Plain RoPE spelled out in the older key is plain RoPE too.
        Assert.Equal(1_000_000.0, HfConfigJson.Parse(Qwen25HalfB.Replace("\"use_cache\": true", "\"rope_scaling\": {\"type\": \"default\"}"), "c.json").RopeTheta);
    }

    [Fact]
    public void A_llama_with_biased_attention_is_refused_because_it_biases_o_proj_too()
    {
        string llama = Qwen25HalfB.Replace("\"model_type\": \"qwen2\"", "\"model_type\": \"llama\"").Replace("Qwen2ForCausalLM", "LlamaForCausalLM");
        Assert.False(HfConfigJson.Parse(llama, "c.json").AttentionBias);
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(llama.Replace("\"use_cache\": true", "\"attention_bias\": true"), "c.json"));
        Assert.Contains("also biases o_proj", error.Problem);
    }

    [Fact]
    public void Model_type_falls_back_to_the_architecture()
    {
        var config = HfConfigJson.Parse(Qwen25HalfB.Replace("\"model_type\": \"qwen2\",", ""), "c.json");
        Assert.True(config.AttentionBias);
    }

    [Fact]
    public void File_round_trip_and_missing_file()
    {
        using var dir = new TempDirectory();
        var config = TinyModels.Shipped;
        HfConfigJson.Write(dir.File("config.json"), config);
        AssertSame(config, HfConfigJson.Read(dir.File("config.json")));
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Read(dir.File("nope.json")));
        Assert.Equal(dir.File("nope.json"), error.Path);
    }
}
