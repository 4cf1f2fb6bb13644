using System.Text.Json;
using DeepSeekR1.Actors.Model.Policy;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// Converts between <see cref="ModelConfig"/> and a Hugging Face <c>config.json</c>: Llama/Qwen2 names for the
/// dense shape, DeepSeek-V3 names for the Mixture-of-Experts fields, and <c>r1_*</c> keys for what only this
/// project has (the balancing scheme and an explicit MoE layer list). A <c>deepseek_v3</c> config with
/// <c>kv_lora_rank</c> is multi-head latent attention with transformers' parameter names and V3's routing (sigmoid
/// scores, correction bias, n_group/topk_group, norm_topk_prob, routed_scaling_factor, first_k_dense_replace). Keys this
/// model does not use are ignored, but keys that would change the computation in ways it cannot honour (an unimplemented
/// rotary scaling, multi-token prediction layers, quantized weights, a non-SiLU activation, a head width other than
/// hidden/heads) are rejected by name rather than silently dropped (docs/hugging-face.md lists them).
/// </summary>
public static partial class HfConfigJson
{
    /// <summary>The conventional file name.</summary>
    public const string FileName = "config.json";

    private static readonly Dictionary<string, string> ArchitectureToModelType = new()
    {
        ["LlamaForCausalLM"] = "llama",
        ["Qwen2ForCausalLM"] = "qwen2",
        ["DeepseekV3ForCausalLM"] = "deepseek_v3",
    };

    /// <summary>Reads <paramref name="path"/> into a validated <see cref="ModelConfig"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, not JSON, lacks a required key, or describes a
    /// model this code cannot build.</exception>
    public static ModelConfig Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "config file does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="CheckpointException">As for <see cref="Read"/>.</exception>
    public static ModelConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(source, $"is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(source, "config must be a JSON object");
            var config = FromJson(new Fields(document.RootElement, source));
            try
            {
                return config.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CheckpointException(source, $"describes a model that cannot be built: {e.Message}", e);
            }
        }
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, ModelConfig config, string? torchDtype = null) =>
        File.WriteAllText(path, ToJson(config, torchDtype));

    /// <summary>
    /// The <c>config.json</c> text for <paramref name="config"/>: model_type "deepseek_v3" when it has MoE layers or
    /// latent attention, else "qwen2" with attention bias or "llama" without. <paramref name="torchDtype"/> ("bfloat16", ...) is
    /// recorded for other tools when given.
    /// </summary>
    public static string ToJson(ModelConfig config, string? torchDtype = null)
    {
        var modelType = config.MoeLayers.Count > 0 || config.IsLatentAttention || config.MtpLayers > 0 ? "deepseek_v3"
            : config.AttentionBias ? "qwen2" : "llama";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("architectures");
            json.WriteStringValue(ArchitectureToModelType.First(pair => pair.Value == modelType).Key);
            json.WriteEndArray();
            json.WriteString("model_type", modelType);
            json.WriteNumber("vocab_size", config.VocabSize);
            json.WriteNumber("hidden_size", config.HiddenSize);
            json.WriteNumber("intermediate_size", config.IntermediateSize);
            json.WriteNumber("num_hidden_layers", config.NumLayers);
            json.WriteNumber("num_attention_heads", config.NumHeads);
            // Latent attention decompresses a key and a value for every query head: transformers wants them equal.
            json.WriteNumber("num_key_value_heads", config.IsLatentAttention ? config.NumHeads : config.NumKvHeads);
            json.WriteNumber("max_position_embeddings", config.MaxPositionEmbeddings);
            json.WriteNumber("rope_theta", config.RopeTheta);
            if (config.RopeType != "default") WriteRopeScaling(json, config);
            // yarn's keys mean different things to different transformers versions (docs/hugging-face.md): say whose.
            if (config.RopeType == "yarn") json.WriteString("transformers_version", YarnWrittenAs);
            json.WriteNumber("rms_norm_eps", config.RmsNormEps);
            json.WriteBoolean("tie_word_embeddings", config.TieWordEmbeddings);
            json.WriteBoolean("attention_bias", config.AttentionBias);
            json.WriteString("hidden_act", "silu");
            if (config.BosTokenId >= 0) json.WriteNumber("bos_token_id", config.BosTokenId);
            else json.WriteNull("bos_token_id");
            json.WriteNumber("eos_token_id", config.EosTokenId);
            json.WriteNumber("pad_token_id", config.PadTokenId);
            if (torchDtype is not null) json.WriteString("torch_dtype", torchDtype);
            if (config.IsLatentAttention) WriteLatentAttention(json, config);
            if (modelType == "deepseek_v3")
            {
                json.WriteNumber("num_nextn_predict_layers", config.MtpLayers);
                WriteMoe(json, config);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteLatentAttention(Utf8JsonWriter json, ModelConfig config)
    {
        if (config.QLoraRank > 0) json.WriteNumber("q_lora_rank", config.QLoraRank);
        else json.WriteNull("q_lora_rank");
        json.WriteNumber("kv_lora_rank", config.KvLoraRank);
        json.WriteNumber("qk_nope_head_dim", config.QkNopeHeadDim);
        json.WriteNumber("qk_rope_head_dim", config.QkRopeHeadDim);
        json.WriteNumber("v_head_dim", config.VHeadDim);
        json.WriteBoolean("rope_interleave", config.RopeInterleave);
    }

    private static void WriteMoe(Utf8JsonWriter json, ModelConfig config)
    {
        json.WriteNumber("n_routed_experts", config.NumRoutedExperts);
        json.WriteNumber("n_shared_experts", config.NumSharedExperts);
        json.WriteNumber("num_experts_per_tok", config.ExpertsPerToken);
        json.WriteNumber("moe_intermediate_size", config.MoeIntermediateSize);
        // DeepSeek-V3's own loaders only understand "every freq-th layer from k on"; write that form when the
        // layer set has it, and always the explicit list, which this code prefers.
        if (DenseReplaceForm(config) is var (firstK, freq))
        {
            json.WriteNumber("first_k_dense_replace", firstK);
            json.WriteNumber("moe_layer_freq", freq);
        }
        json.WriteNumber("n_group", config.ExpertGroups);
        json.WriteNumber("topk_group", config.ExpertGroupsPerToken);
        json.WriteString("scoring_func", config.SigmoidScores ? "sigmoid" : "softmax");
        if (config.SigmoidScores) json.WriteString("topk_method", "noaux_tc");
        json.WriteBoolean("norm_topk_prob", config.NormTopkProb);
        json.WriteNumber("routed_scaling_factor", config.RoutedScalingFactor);
        json.WriteString("r1_load_balancing", config.LoadBalancing == LoadBalancing.AuxLoss ? "aux_loss" : "aux_free");
        json.WriteNumber("r1_aux_loss_alpha", config.AuxLossAlpha);
        json.WriteNumber("r1_bias_update_speed", config.BiasUpdateSpeed);
        json.WriteStartArray("r1_moe_layers");
        foreach (var layer in config.MoeLayers.Order()) json.WriteNumberValue(layer);
        json.WriteEndArray();
    }

    /// <summary>The (first_k_dense_replace, moe_layer_freq) pair that yields exactly the MoE layer set, if any.</summary>
    private static (int FirstK, int Freq)? DenseReplaceForm(ModelConfig config)
    {
        var layers = config.MoeLayers.ToHashSet();
        // The rule runs over the multi-token prediction layers too (DeepSeek-V3's layer 61 is MoE by it).
        int all = config.NumLayers + config.MtpLayers;
        if (layers.Count == 0) return (all, 1);   // a dense deepseek_v3 (latent attention only)
        var firstK = layers.Min();
        for (var freq = 1; freq <= all; freq++)
            if (layers.SetEquals(MoeLayersFrom(firstK, freq, all)))
                return (firstK, freq);
        return null;
    }

    /// <summary>DeepSeek-V3's rule: layer i is MoE when i &gt;= first_k_dense_replace and i % moe_layer_freq == 0.</summary>
    private static IEnumerable<int> MoeLayersFrom(int firstK, int freq, int numLayers) =>
        Enumerable.Range(0, numLayers).Where(i => i >= firstK && i % freq == 0);

    private static ModelConfig FromJson(Fields f)
    {
        var modelType = ModelType(f);
        // A deepseek_v3 config with kv_lora_rank is latent attention; without it, this project's own deepseek_v3 files
        // (grouped-query attention with MoE layers, written before MLA existed here) still load as they were written.
        bool latent = modelType == "deepseek_v3" && f.Int("kv_lora_rank") is not null;
        var rope = ReadRope(f, modelType, latent, f.RequiredInt("max_position_embeddings"));
        if (modelType != "deepseek_v3")
            f.Reject("kv_lora_rank", $"'kv_lora_rank' is set: multi-head latent attention is implemented for model_type deepseek_v3, not {modelType}");
        // DeepSeek-V3's multi-token prediction modules: layers num_hidden_layers.. (transformers drops them on load; kept here).
        int mtp = f.Int("num_nextn_predict_layers") ?? 0;
        if (mtp < 0) throw f.Error("'num_nextn_predict_layers' must not be negative");
        if (mtp > 0 && modelType != "deepseek_v3")
            throw f.Error($"'num_nextn_predict_layers' is {mtp}: multi-token prediction is implemented for model_type deepseek_v3, not {modelType}");
        f.Reject("quantization_config", "'quantization_config' is set: quantized (e.g. fp8 block-scaled) weights are not implemented; dequantize to bfloat16 or float32 first");
        // DeepSeek's own code routes by topk_method (greedy, group_limited_greedy, noaux_tc); transformers always computes
        // noaux_tc, the V3 rule implemented here. Any other value would mean different experts under the two readings.
        if (f.String("topk_method") is { } method && method != "noaux_tc")
            throw f.Error($"topk_method '{method}' is not implemented (only DeepSeek-V3's noaux_tc, which transformers always computes)");
        // Computation this model does not have: refused by name rather than loaded as something else.
        if (f.Bool("use_sliding_window") == true)
            throw f.Error("'use_sliding_window' is true: sliding-window attention is not implemented (every layer attends to the whole context)");
        if (modelType == "llama" && f.Bool("attention_bias") == true)
            throw f.Error("'attention_bias' is true: a Llama model then also biases o_proj, which this model does not have");
        if (f.Bool("mlp_bias") == true) throw f.Error("'mlp_bias' is true: the MLP projections here have no bias");
        // Hugging Face's Qwen2 always biases q, k and v, whatever attention_bias says.
        if (modelType == "qwen2" && f.Bool("attention_bias") == false)
            throw f.Error("'attention_bias' is false, but a qwen2 model always has q/k/v biases (Hugging Face ignores the key)");
        if (f.String("hidden_act") is { } act && act != "silu")
            throw f.Error($"hidden_act '{act}' is not supported (the MLPs are SwiGLU with SiLU)");

        var hidden = f.RequiredInt("hidden_size");
        var heads = f.RequiredInt("num_attention_heads");
        if (!latent && f.Int("head_dim") is { } headDim && heads > 0 && headDim != hidden / heads)
            throw f.Error($"head_dim {headDim} differs from hidden_size / num_attention_heads ({hidden / heads}), which this model assumes");
        var layers = f.RequiredInt("num_hidden_layers");
        var eos = f.RequiredTokenId("eos_token_id");
        var defaults = ModelConfig.Defaults;

        var attention = latent ? ReadLatentAttention(f, heads) : null;
        var config = defaults with
        {
            VocabSize = f.RequiredInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = f.RequiredInt("intermediate_size"),
            NumLayers = layers,
            NumHeads = heads,
            // Hugging Face's convention: no num_key_value_heads means plain multi-head attention.
            NumKvHeads = f.Int("num_key_value_heads") ?? heads,
            MaxPositionEmbeddings = f.RequiredInt("max_position_embeddings"),
            RopeTheta = rope.Theta,
            RopeType = rope.Type,
            RopeFactor = rope.Factor,
            RopeLowFreqFactor = rope.LowFreqFactor,
            RopeHighFreqFactor = rope.HighFreqFactor,
            RopeOriginalMaxPositions = rope.OriginalMaxPositions,
            RopeAttentionFactor = rope.AttentionFactor,
            RopeBetaFast = rope.BetaFast,
            RopeBetaSlow = rope.BetaSlow,
            RopeTruncate = rope.Truncate,
            RopeMscaleAllDim = rope.MscaleAllDim,
            RmsNormEps = f.Double("rms_norm_eps") ?? 1e-6,
            TieWordEmbeddings = f.Bool("tie_word_embeddings") ?? false,
            AttentionBias = f.Bool("attention_bias") ?? modelType == "qwen2",
            BosTokenId = f.TokenId("bos_token_id") ?? -1,
            EosTokenId = eos,
            // Qwen2.5's config has no pad id; its tokenizer pads with the end-of-text token, which is eos here.
            PadTokenId = f.TokenId("pad_token_id") ?? eos,
            MtpLayers = mtp,
        };
        if (attention is not null) config = attention(config);

        var moeLayers = MoeLayers(f, layers + mtp);
        if (moeLayers.Count == 0) return config;
        var moe = config with
        {
            MoeLayers = moeLayers,
            NumRoutedExperts = f.RequiredInt("n_routed_experts"),
            NumSharedExperts = f.Int("n_shared_experts") ?? 0,
            ExpertsPerToken = f.RequiredInt("num_experts_per_tok"),
            MoeIntermediateSize = f.RequiredInt("moe_intermediate_size"),
            NormTopkProb = f.Bool("norm_topk_prob") ?? defaults.NormTopkProb,
            // Absent (this project's files before group-limited routing): no limit. transformers' own defaults (8, 4)
            // never apply to a config it wrote, which always lists both.
            ExpertGroups = f.Int("n_group") ?? defaults.ExpertGroups,
            ExpertGroupsPerToken = f.Int("topk_group") ?? defaults.ExpertGroupsPerToken,

            RoutedScalingFactor = f.Double("routed_scaling_factor") ?? defaults.RoutedScalingFactor,
            LoadBalancing = f.String("r1_load_balancing") switch
            {
                null => defaults.LoadBalancing,
                "aux_loss" => LoadBalancing.AuxLoss,
                "aux_free" => LoadBalancing.AuxFree,
                var other => throw f.Error($"r1_load_balancing '{other}' is neither \"aux_loss\" nor \"aux_free\""),
            },
            AuxLossAlpha = f.Double("r1_aux_loss_alpha") ?? defaults.AuxLossAlpha,
            BiasUpdateSpeed = f.Double("r1_bias_update_speed") ?? defaults.BiasUpdateSpeed,
        };
        return moe with { ScoringFunc = ReadScoringFunc(f, moe) };
    }

    /// <summary>
    /// scoring_func, as "auto" when it is what auto gives with the file's balancing (so a config round-trips unchanged),
    /// else explicit. Absent means the default.
    /// </summary>
    private static ScoringFunc ReadScoringFunc(Fields f, ModelConfig moe)
    {
        var named = f.String("scoring_func") switch
        {
            null => (ScoringFunc?)null,
            "sigmoid" => ScoringFunc.Sigmoid,
            "softmax" => ScoringFunc.Softmax,
            var other => throw f.Error($"scoring_func '{other}' is neither \"sigmoid\" nor \"softmax\""),
        };
        if (named is not { } explicitScoring) return ModelConfig.Defaults.ScoringFunc;
        bool autoGivesSigmoid = moe.LoadBalancing == LoadBalancing.AuxFree;
        return explicitScoring == ScoringFunc.Sigmoid == autoGivesSigmoid ? ScoringFunc.Auto : explicitScoring;
    }

    /// <summary>
    /// The latent-attention shape of a deepseek_v3 config, as transformers' DeepseekV3Config names it. q_lora_rank must be
    /// given (null means a plain q_proj; transformers would take 1536 when it is absent, which no file it writes relies on).
    /// </summary>
    private static Func<ModelConfig, ModelConfig> ReadLatentAttention(Fields f, int heads)
    {
        if (!f.Present("q_lora_rank")) throw f.Error("required key 'q_lora_rank' is missing (null means a plain q_proj)");
        int qRank = f.Int("q_lora_rank") ?? 0;
        if (qRank < 0) throw f.Error("'q_lora_rank' must be positive or null");
        int kvRank = f.RequiredInt("kv_lora_rank"), nope = f.RequiredInt("qk_nope_head_dim"), rope = f.RequiredInt("qk_rope_head_dim"),
            value = f.RequiredInt("v_head_dim");
        if (f.Int("num_key_value_heads") is { } kvHeads && kvHeads != heads)
            throw f.Error($"'num_key_value_heads' is {kvHeads}: latent attention decompresses one key/value head per query head ({heads})");
        if (f.Int("head_dim") is { } headDim && headDim != rope)
            throw f.Error($"head_dim {headDim} differs from qk_rope_head_dim ({rope}), the rotary width transformers builds from it");
        if (f.Bool("attention_bias") == true)
            throw f.Error("'attention_bias' is true: the latent attention projections here have no bias");
        bool interleave = f.Bool("rope_interleave") ?? true;   // transformers' default
        return config => config with
        {
            Attention = AttentionKind.Mla, NumKvHeads = heads, QLoraRank = qRank, KvLoraRank = kvRank, QkNopeHeadDim = nope,
            QkRopeHeadDim = rope, VHeadDim = value, RopeInterleave = interleave,
        };
    }

    private static string ModelType(Fields f)
    {
        var modelType = f.String("model_type");
        if (modelType is null)
        {
            var architecture = f.FirstString("architectures")
                ?? throw f.Error("has neither model_type nor architectures");
            modelType = ArchitectureToModelType.GetValueOrDefault(architecture)
                ?? throw f.Error($"architecture '{architecture}' is not supported (supported: {string.Join(", ", ArchitectureToModelType.Keys)})");
        }
        if (!ArchitectureToModelType.ContainsValue(modelType))
            throw f.Error($"model_type '{modelType}' is not supported (supported: {string.Join(", ", ArchitectureToModelType.Values)})");
        return modelType;
    }

    private static IReadOnlyList<int> MoeLayers(Fields f, int numLayers)
    {
        if (f.IntList("r1_moe_layers") is { } explicitLayers) return explicitLayers;
        if (f.Int("n_routed_experts") is not > 0) return [];
        var firstK = f.Int("first_k_dense_replace") ?? 0;
        var freq = f.Int("moe_layer_freq") ?? 1;
        if (freq <= 0) throw f.Error("moe_layer_freq must be positive");
        return MoeLayersFrom(firstK, freq, numLayers).ToList();
    }

    /// <summary>Typed access to the config's keys; a JSON null counts as absent, as Hugging Face treats it.</summary>
    private sealed class Fields(JsonElement root, string source, string prefix = "")
    {
        public CheckpointException Error(string problem) => new(source, problem);

        private JsonElement? Get(string key) =>
            root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        /// <summary>A nested object's keys, named <c>parent.key</c> in errors; null when absent, an error when not an object.</summary>
        public Fields? Object(string key) => Get(key) is { } value
            ? value.ValueKind == JsonValueKind.Object ? new Fields(value, source, $"{prefix}{key}.") : throw Error($"'{prefix}{key}' must be an object")
            : null;

        /// <summary>The keys with a non-null value, in file order.</summary>
        public IEnumerable<string> Keys => root.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => p.Name);

        /// <summary>How <paramref name="key"/> is named in errors (<c>parent.key</c> inside a nested object).</summary>
        public string Name(string key) => prefix + key;

        /// <summary>Whether the key is in the file at all, null included (q_lora_rank: null is a value, absent is not).</summary>
        public bool Present(string key) => root.TryGetProperty(key, out _);

        public void Reject(string key, string problem)
        {
            if (Get(key) is not null) throw Error(problem);
        }

        public int? Int(string key) => Get(key) is { } value ? AsInt(value, key) : null;

        public int RequiredInt(string key) => Int(key) ?? throw Error($"required key '{prefix}{key}' is missing");

        public double RequiredDouble(string key) => Double(key) ?? throw Error($"required key '{prefix}{key}' is missing");

        public double? Double(string key) => Get(key) is { } value
            ? value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Error($"'{prefix}{key}' must be a number")
            : null;

        public bool? Bool(string key) => Get(key) is { } value
            ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Error($"'{prefix}{key}' must be true or false")
            : null;

        public string? String(string key) => Get(key) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error($"'{prefix}{key}' must be a string")
            : null;

        public string? FirstString(string key) => Get(key) is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0
            && list[0].ValueKind == JsonValueKind.String ? list[0].GetString() : null;

        public IReadOnlyList<int>? IntList(string key) => Get(key) is { } value
            ? value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(item => AsInt(item, key)).ToList() : throw Error($"'{prefix}{key}' must be a list of integers")
            : null;

        /// <summary>A token id; several (generation configs list every stop token) means the first.</summary>
        public int? TokenId(string key) => Get(key) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } list => list.GetArrayLength() > 0 ? AsInt(list[0], key) : throw Error($"'{prefix}{key}' is an empty list"),
            { } value => AsInt(value, key),
        };

        public int RequiredTokenId(string key) => TokenId(key) ?? throw Error($"required key '{prefix}{key}' is missing");

        private int AsInt(JsonElement value, string key) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
                ? number
                : throw Error($"'{prefix}{key}' must be an integer");
    }
}
