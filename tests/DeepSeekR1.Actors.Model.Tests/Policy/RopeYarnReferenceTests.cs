using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tests.Checkpoints;
using DeepSeekR1.Actors.Model.Tests.Tokenizers;
using static TorchSharp.torch;
using static DeepSeekR1.Actors.Model.Tests.Policy.ReferenceCheckpoints;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// yarn and dynamic-NTK rotary embeddings against Fixtures/rope_scaling (made by make_reference.py, an independent
/// PyTorch re-implementation of transformers' formulas in float64): frequencies, attention and softmax factors per
/// config variant and transformers version; the logits of a tiny Qwen2 with Qwen2.5's yarn recipe and of a tiny
/// deepseek_v3 with DeepSeek-V3's yarn keys at positions 2.5 times past the original context; cached decoding; a tiny
/// Qwen2 with dynamic NTK, prefilled and decoded through the KV cache as transformers does each; the save round trip;
/// and configs that must be refused.
/// </summary>
public class RopeYarnReferenceTests(ITestOutputHelper output)
{
    // float32 against float64: the largest difference measured is printed by the tests (about 1e-6).
    private const double Tolerance = 1e-5;

    private static string Fixture(string name) =>
        Path.Combine(TokenizerTestData.RepoRoot, "tests", "DeepSeekR1.Actors.Model.Tests", "Fixtures", "rope_scaling", name);

    private static readonly Lazy<JsonDocument> Frequencies = new(() => JsonDocument.Parse(File.ReadAllText(Fixture("frequencies.json"))));

    public static TheoryData<string> Variants => new()
    {
        "qwen2.5_yarn_4.43", "qwen2.5_yarn_5.x", "yarn_original_8192_4.45", "yarn_original_8192_4.57", "yarn_truncate_false_4.55",
        "yarn_attention_factor_4.46", "deepseek_v3_yarn_4.46.3", "deepseek_v3_yarn_4.51", "deepseek_v2_lite_mscale_4.51",
    };

    public static TheoryData<string> Models => new() { "qwen2_yarn", "deepseek_v3_yarn" };

    private static JsonElement Variant(string name) => Frequencies.Value.RootElement.GetProperty(name);

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Variants))]
    public void Frequencies_and_scaling_factors_match_the_reference_for_each_config_and_version(string name)
    {
        var variant = Variant(name);
        var config = HfConfigJson.Parse(variant.GetProperty("config").GetString()!, name);
        Assert.Equal("yarn", config.RopeType);
        var expected = variant.GetProperty("inv_freq").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = RopeScaling.InverseFrequencies(config);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"{name} inv_freq[{i}]");
        AssertClose(variant.GetProperty("attention_factor").GetDouble(), RopeScaling.YarnAttentionFactor(config), $"{name} attention factor");
        AssertClose(variant.GetProperty("softmax_multiplier").GetDouble(), RopeScaling.SoftmaxScaleMultiplier(config), $"{name} softmax");
        // Written back (every derived value explicit, read as 5.x reads it), the same settings come back.
        var again = HfConfigJson.Parse(HfConfigJson.ToJson(config), name);
        Assert.Equal(config with { MoeLayers = [] }, again with { MoeLayers = [] });
    }

    [Fact]
    public void The_two_readings_of_a_short_original_context_place_the_ramp_differently()
    {
        // Guards the version switch itself: 4.45 ramps over max_position_embeddings, 4.57 over the original 8192.
        var early = Variant("yarn_original_8192_4.45").GetProperty("inv_freq").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var late = Variant("yarn_original_8192_4.57").GetProperty("inv_freq").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Contains(Enumerable.Range(0, early.Length), i => Math.Abs(early[i] - late[i]) > 1e-6 * early[i]);
        var config = HfConfigJson.Parse(Variant("yarn_original_8192_4.45").GetProperty("config").GetString()!, "c.json");
        Assert.Equal(32768, config.RopeOriginalMaxPositions);
    }

    [Fact]
    public void Dynamic_ntk_frequencies_match_the_reference_for_each_pass_length()
    {
        var variant = Variant("llama_dynamic_2x");
        var config = HfConfigJson.Parse(variant.GetProperty("config").GetString()!, "dynamic");
        Assert.Equal(("dynamic", 2.0, 8192), (config.RopeType, config.RopeFactor, config.ContextLength));
        var lengths = variant.GetProperty("lengths").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var expected = variant.GetProperty("inv_freq").EnumerateArray().ToArray();
        for (int k = 0; k < lengths.Length; k++)
        {
            var want = expected[k].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var got = RopeScaling.DynamicInverseFrequencies(config, lengths[k]);
            for (int i = 0; i < want.Length; i++) AssertClose(want[i], got[i], $"length {lengths[k]} inv_freq[{i}]");
        }
        Assert.Equal(config with { MoeLayers = [] }, HfConfigJson.Parse(HfConfigJson.ToJson(config), "again") with { MoeLayers = [] });
        // Up to max_position_embeddings dynamic NTK is plain RoPE.
        Assert.Equal(RopeScaling.InverseFrequencies(config with { RopeType = "default" }), RopeScaling.InverseFrequencies(config));
    }

    [Fact]
    public void Dynamic_tables_use_the_frequencies_of_each_pass_and_a_decode_step_rotates_as_the_prefill_last_row()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Shipped with { HiddenSize = 64, NumHeads = 4, NumKvHeads = 2, MaxPositionEmbeddings = 8, RopeType = "dynamic", RopeFactor = 2 };
        using var rope = new RotaryEmbedding(config, CPU);
        Assert.Equal(16, rope.MaxPositions);
        var (plainCos, _) = new RotaryEmbedding(config with { RopeType = "default" }, CPU).Tables(arange(8).unsqueeze(0), ScalarType.Float32);
        Assert.True(rope.Tables(arange(8).unsqueeze(0), ScalarType.Float32).Cos.allclose(plainCos, rtol: 0, atol: 0));   // within the original context: plain
        // A prefill of 12 positions uses the frequencies of length 12 for every row.
        var (cos12, sin12) = rope.Tables(arange(12).unsqueeze(0), ScalarType.Float32);
        var inv = tensor(RopeScaling.DynamicInverseFrequencies(config, 12), ScalarType.Float64);
        var angles = arange(12, ScalarType.Float64).unsqueeze(-1) * inv;
        Assert.True(cos12[0, 0].allclose(cat([angles, angles], -1).cos().to_type(ScalarType.Float32), rtol: 0, atol: 1e-7));
        // A decode step at position 11 (a pass of length 12) rotates exactly as the prefill's last row; position 10 of
        // the same prefill differs from a decode step at 10, which used the frequencies of length 11.
        var (cos11, sin11) = rope.Tables(tensor(new long[] { 11 }).view(1, 1), ScalarType.Float32);
        Assert.True(cos11[0, 0, 0].allclose(cos12[0, 0, 11], rtol: 0, atol: 0) && sin11[0, 0, 0].allclose(sin12[0, 0, 11], rtol: 0, atol: 0));
        var (cos10, _) = rope.Tables(tensor(new long[] { 10 }).view(1, 1), ScalarType.Float32);
        Assert.False(cos10[0, 0, 0].allclose(cos12[0, 0, 10], rtol: 0, atol: 1e-4));
        Assert.Throws<ArgumentException>(() => rope.Tables(tensor(new long[] { 16 }).view(1, 1), ScalarType.Float32));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_tiny_models_match_the_reference_logits_past_the_original_context(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        Assert.Equal("yarn", model.Config.RopeType);
        Assert.Equal(64, model.Config.ContextLength);
        var reference = Reference(Fixture(name));
        Assert.Equal(40, Ids(reference, 0).Length);   // positions 16..39 are past the original 16
        double difference = LargestDifference(model, reference);
        output.WriteLine($"{name}: largest logit difference {difference:e2}");
        Assert.True(difference < Tolerance, $"{name}: largest logit difference {difference:e2}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Cached_decoding_gives_the_logits_of_the_prefill(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        var ids = Ids(Reference(Fixture(name)), 0);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var full = FullLogits(model, ids);
        using var cache = KvCache.ForModel(model.Config, 1, ids.Length, ScalarType.Float32, CPU);
        var parts = new List<Tensor> { CachedLogits(model, cache, ids, 0, 10) };
        for (int t = 10; t < ids.Length; t++) parts.Add(CachedLogits(model, cache, ids, t, 1));
        double difference = (cat(parts.ToArray(), dim: 0) - full).abs().max().item<float>();
        output.WriteLine($"{name}: cached vs prefill {difference:e2}");
        Assert.True(difference < Tolerance, $"{name}: cached vs prefill logits differ by {difference:e2}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Batched_greedy_generation_past_the_original_context_equals_greedy_by_recomputation(string name)
    {
        // PolicyGenerator's path: fused projections, the decode kernels, a left-padded batch with per-row positions.
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        var reference = Reference(Fixture(name));
        var prompts = Enumerable.Range(0, 3).Select(s => Ids(reference, s).Select(t => (int)t).ToArray()).ToArray();
        var options = SamplingOptions.Defaults with { MaxNewTokens = 12, Temperature = 0, StopTokenIds = [] };
        var results = PolicyGenerator.Generate(model, prompts.Select((p, i) => new GenerationRequest(p, (ulong)i)).ToArray(), options);
        for (int s = 0; s < prompts.Length; s++)
        {
            var ids = prompts[s].Select(t => (long)t).ToList();
            for (int i = 0; i < 12; i++)
            {
                using var logits = FullLogits(model, [.. ids]);
                ids.Add(logits[-1].argmax().item<long>());
            }
            Assert.Equal(ids.Skip(prompts[s].Length).Select(t => (int)t), results[s].TokenIds);
        }
    }

    [Fact]
    public void Dynamic_ntk_prefill_and_cached_decode_each_match_transformers_past_the_original_context()
    {
        // transformers gives two different answers past max_position_embeddings (16 here): a prefill rotates every
        // position with the frequencies of its length, a cached decode rotates each new token with those of its own
        // length and keeps the cached keys as they were. Both are reproduced, and they do differ.
        using var model = PolicyCheckpoint.Load(Fixture("qwen2_dynamic"), verify: false);
        Assert.Equal(("dynamic", 32), (model.Config.RopeType, model.Config.ContextLength));
        var reference = Reference(Fixture("qwen2_dynamic"));
        var ids = Ids(reference, 0);
        Assert.Equal(28, ids.Length);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var prefill = FullLogits(model, ids);
        using var cache = KvCache.ForModel(model.Config, 1, ids.Length, ScalarType.Float32, CPU);
        var parts = new List<Tensor> { CachedLogits(model, cache, ids, 0, 10) };
        for (int t = 10; t < ids.Length; t++) parts.Add(CachedLogits(model, cache, ids, t, 1));
        var cached = cat(parts.ToArray(), dim: 0);
        double prefillDifference = (prefill - reference["logits.prefill"].to_type(ScalarType.Float32)).abs().max().item<float>();
        double cachedDifference = (cached - reference["logits.cached"].to_type(ScalarType.Float32)).abs().max().item<float>();
        output.WriteLine($"qwen2_dynamic: prefill {prefillDifference:e2}, cached decode {cachedDifference:e2}");
        Assert.True(prefillDifference < Tolerance, $"prefill differs from the reference by {prefillDifference:e2}");
        Assert.True(cachedDifference < Tolerance, $"cached decode differs from the reference by {cachedDifference:e2}");
        Assert.True((prefill - cached).abs().max().item<float>() > 1e-2);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Saving_writes_the_rope_settings_that_load_back_to_the_same_model(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "saved");
        PolicyCheckpoint.Save(model, dir);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, HfConfigJson.FileName)))!;
        Assert.Equal("yarn", (string)written["rope_scaling"]!["rope_type"]!);
        Assert.Equal("5.0.0", (string)written["transformers_version"]!);
        Assert.Equal(model.Config.RopeAttentionFactor, (double)written["rope_scaling"]!["attention_factor"]!);
        using var reloaded = PolicyCheckpoint.Load(dir);
        Assert.Equal(model.Config with { MoeLayers = [] }, reloaded.Config with { MoeLayers = [] });
        Assert.Equal(HfConfigJson.ToJson(model.Config), HfConfigJson.ToJson(reloaded.Config));
        Assert.True(LargestDifference(reloaded, Reference(Fixture(name))) < Tolerance);
    }

    [Fact]
    public void Dropping_the_attention_factor_breaks_the_qwen_match()
    {
        using var dir = new TempDirectory();
        using var model = LoadEdited(Fixture("qwen2_yarn"), dir, c => c["rope_scaling"]!["attention_factor"] = 1.0);
        Assert.True(LargestDifference(model, Reference(Fixture("qwen2_yarn"))) > 1e-3);
    }

    [Fact]
    public void Dropping_deepseeks_softmax_mscale_breaks_the_match()
    {
        // mscale_all_dim 0: the softmax keeps 1/sqrt(d) (and the cos/sin factor becomes get_mscale(4)), so the logits move.
        using var dir = new TempDirectory();
        using var model = LoadEdited(Fixture("deepseek_v3_yarn"), dir, c => c["rope_scaling"]!.AsObject().Remove("mscale_all_dim"));
        Assert.Equal(1.0, RopeScaling.SoftmaxScaleMultiplier(model.Config));
        Assert.True(LargestDifference(model, Reference(Fixture("deepseek_v3_yarn"))) > 1e-3);
    }

    [Fact]
    public void Positions_past_the_yarn_context_are_refused()
    {
        using var model = PolicyCheckpoint.Load(Fixture("qwen2_yarn"), verify: false);
        var error = Assert.Throws<ArgumentException>(() => model.Forward(tensor(new long[] { 3 }, [1, 1]), tensor(new long[] { 64 }, [1, 1])));
        Assert.Contains("64 positions", error.Message);
    }

    private static string Qwen25Yarn(string version, int maxPositions = 32768, string extra = "") => $$$"""
        {"model_type":"qwen2","vocab_size":1000,"hidden_size":64,"intermediate_size":64,"num_hidden_layers":1,
         "num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":{{{maxPositions}}},"rope_theta":1000000.0,
         "eos_token_id":1,{{{version}}}
         "rope_scaling":{"factor":4.0,"original_max_position_embeddings":32768,"type":"yarn"{{{extra}}}}}
        """;

    [Fact]
    public void Qwen25s_recipe_loads_under_any_version_that_reads_it_one_way()
    {
        var plain = HfConfigJson.Parse(Qwen25Yarn("\"transformers_version\":\"4.43.1\","), "c.json");
        Assert.Equal((4.0, 32768, 131072), (plain.RopeFactor, plain.RopeOriginalMaxPositions, plain.ContextLength));
        // No version: 4.43-4.49 and 4.50+ agree here (original = max_position_embeddings), so it loads the same.
        Assert.Equal(plain, HfConfigJson.Parse(Qwen25Yarn(""), "c.json") with { MoeLayers = plain.MoeLayers });
        Assert.Equal(plain, HfConfigJson.Parse(Qwen25Yarn("\"transformers_version\":\"5.2.0\","), "c.json") with { MoeLayers = plain.MoeLayers });
    }

    [Theory]
    // transformers 4.50-4.57 would use max_position_embeddings / original = 1 instead of the written factor 4.
    [InlineData("\"transformers_version\":\"4.51.3\",", 32768, "", "'rope_scaling.factor' is 4, but transformers 4.51.3")]
    // No version and an original shorter than max_position_embeddings: 4.43-4.49 and 4.50+ place the ramp differently.
    [InlineData("", 131072, "", "'transformers_version' is absent")]
    [InlineData("\"transformers_version\":\"4.52.0\",", 131072, ",\"truncate\":false", "'rope_scaling.truncate' is false, but transformers 4.52.0")]
    [InlineData("\"transformers_version\":\"4.57.0\",", 131072, ",\"beta_fast\":-1", "must not be negative")]
    // Keys 4.43-4.49 did not know: the file was not made for the version it names.
    [InlineData("\"transformers_version\":\"4.45.2\",", 32768, ",\"mscale\":1.0", "'rope_scaling.mscale' is set, but transformers 4.43-4.49")]
    [InlineData("\"transformers_version\":\"4.57.0\",", 131072, ",\"low_freq_factor\":1", "'rope_scaling.low_freq_factor' is not a key this loader reads for rope type 'yarn'")]
    public void Yarn_configs_read_differently_by_their_versions_or_with_unknown_keys_are_refused(string version, int maxPositions, string extra, string expected)
    {
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(Qwen25Yarn(version, maxPositions, extra), "c.json"));
        output.WriteLine(error.Problem);
        Assert.Contains(expected, error.Problem);
    }

    [Fact]
    public void A_deepseek_v3_config_for_deepseeks_own_code_refuses_keys_that_code_does_not_read()
    {
        var config = File.ReadAllText(Path.Combine(Fixture("deepseek_v3_yarn"), HfConfigJson.FileName));
        var error = Assert.Throws<CheckpointException>(() => HfConfigJson.Parse(config.Replace("\"factor\": 4,", "\"factor\": 4, \"attention_factor\": 1.0,"), "c.json"));
        Assert.Contains("DeepSeek's modeling code", error.Problem);
        // Read as transformers 4.51 does, the same keys give the same model.
        var modern = HfConfigJson.Parse(config.Replace("\"4.46.3\"", "\"4.51.0\""), "c.json");
        Assert.Equal(HfConfigJson.Parse(config, "c.json") with { MoeLayers = [] }, modern with { MoeLayers = [] });
    }
}
