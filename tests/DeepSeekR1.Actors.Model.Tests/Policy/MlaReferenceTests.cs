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
/// Tiny random DeepSeek-V3 checkpoints (Fixtures/deepseek_v3, made by make_reference.py: an independent re-implementation
/// of transformers' modeling_deepseek_v3.py in PyTorch, computing in float64 from the float32 weights) loaded through the
/// normal checkpoint loader: logits, the latent KV cache, greedy decoding, the save round trip, and mutations that must
/// break the match (the interleave, the correction bias, the group limit).
/// </summary>
public class MlaReferenceTests(ITestOutputHelper output)
{
    // float32 against float64 over three layers: the largest difference measured is about 2e-6 on logits of magnitude ~10.
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Cases => new() { "mla_lowrank_q", "mla_plain_q" };

    private static string Fixture(string name) =>
        Path.Combine(TokenizerTestData.RepoRoot, "tests", "DeepSeekR1.Actors.Model.Tests", "Fixtures", "deepseek_v3", name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_loaded_checkpoint_matches_the_reference_logits(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        Assert.True(model.Config.IsLatentAttention);
        var reference = Reference(Fixture(name));
        double difference = LargestDifference(model, reference);
        output.WriteLine($"{name}: largest logit difference {difference:e2}");
        Assert.True(difference < Tolerance, $"{name}: largest logit difference {difference:e2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_decoding_with_the_latent_cache_matches_the_reference_and_the_full_forward(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        var reference = Reference(Fixture(name));
        var expected = reference["greedy.0"].data<long>().Select(t => (int)t).ToArray();
        var options = SamplingOptions.Defaults with { MaxNewTokens = expected.Length, Temperature = 0, StopTokenIds = [model.Config.VocabSize - 1] };
        Assert.DoesNotContain(model.Config.VocabSize - 1, expected);

        // All sequences in one left-padded batch: the cache, its padding mask and its row dropping all take part.
        var prompts = Enumerable.Range(0, Sequences(reference)).Select(s => Ids(reference, s).Select(t => (int)t).ToArray()).ToArray();
        var results = PolicyGenerator.Generate(model, prompts.Select((p, i) => new GenerationRequest(p, (ulong)i)).ToArray(), options);
        Assert.Equal(expected, results[0].TokenIds);
        for (int s = 0; s < prompts.Length; s++)
            Assert.Equal(GreedyByRecompute(model, prompts[s], expected.Length), results[s].TokenIds);
    }

    private static int[] GreedyByRecompute(PolicyModel model, int[] prompt, int steps)
    {
        var ids = prompt.Select(t => (long)t).ToList();
        for (int i = 0; i < steps; i++)
        {
            using var logits = FullLogits(model, [.. ids]);
            ids.Add(logits[-1].argmax().item<long>());
        }
        return ids.Skip(prompt.Length).Select(t => (int)t).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_through_the_latent_cache_equal_the_full_forward(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        var ids = Ids(Reference(Fixture(name)), 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var full = FullLogits(model, ids);
        using var cache = KvCache.ForModel(model.Config, 1, ids.Length, ScalarType.Float32, CPU);
        Assert.True(cache.IsLatent);
        // A prefill of five positions, then one position per step, as generation runs.
        var parts = new List<Tensor> { CachedLogits(model, cache, ids, 0, 5) };
        for (int t = 5; t < ids.Length; t++) parts.Add(CachedLogits(model, cache, ids, t, 1));
        var cached = cat(parts.ToArray(), dim: 0);
        double difference = (cached - full).abs().max().item<float>();
        output.WriteLine($"{name}: cached vs full {difference:e2}");
        Assert.True(difference < Tolerance, $"{name}: cached vs full logits differ by {difference:e2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Saving_writes_the_hugging_face_names_and_config_and_loads_back_identically(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "saved");
        PolicyCheckpoint.Save(model, dir);

        var original = SafetensorsReader.ReadHeader(Path.Combine(Fixture(name), "model.safetensors")).Tensors.Select(t => t.Name).Order(StringComparer.Ordinal);
        var saved = ShardedSafetensors.Read(dir);
        Assert.Equal(original, saved.Keys.Order(StringComparer.Ordinal));
        foreach (var t in saved.Values) t.Dispose();

        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, HfConfigJson.FileName)))!;
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture(name), HfConfigJson.FileName)))!;
        foreach (var key in (string[])["model_type", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim",
                     "rope_interleave", "n_group", "topk_group", "first_k_dense_replace", "norm_topk_prob", "routed_scaling_factor",
                     "n_routed_experts", "n_shared_experts", "num_experts_per_tok", "num_key_value_heads", "scoring_func", "topk_method"])
            Assert.True(JsonNode.DeepEquals(fixture[key], written[key]), $"{key}: fixture {fixture[key]?.ToJsonString()}, written {written[key]?.ToJsonString()}");
        Assert.Equal(0, (int)written["num_nextn_predict_layers"]!);

        using var reloaded = PolicyCheckpoint.Load(dir);
        Assert.Equal(HfConfigJson.ToJson(model.Config), HfConfigJson.ToJson(reloaded.Config));
        Assert.Equal(model.Config.MoeLayers, reloaded.Config.MoeLayers);
        Assert.True(LargestDifference(reloaded, Reference(Fixture(name))) < Tolerance);
    }

    [Theory]
    [InlineData("mla_lowrank_q")]
    [InlineData("mla_plain_q")]
    public void Reading_the_rotary_channels_in_the_other_layout_breaks_the_match(string name)
    {
        using var dir = new TempDirectory();
        using var model = LoadEdited(Fixture(name), dir, c => c["rope_interleave"] = !(bool)c["rope_interleave"]!);
        Assert.True(LargestDifference(model, Reference(Fixture(name))) > 1e-2);
    }

    [Fact]
    public void Leaving_out_the_group_limit_breaks_the_match()
    {
        using var dir = new TempDirectory();
        using var model = LoadEdited(Fixture("mla_lowrank_q"), dir, c => { c["n_group"] = 1; c["topk_group"] = 1; });
        Assert.True(LargestDifference(model, Reference(Fixture("mla_lowrank_q"))) > 1e-2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ignoring_the_correction_bias_breaks_the_match(string name)
    {
        using var model = PolicyCheckpoint.Load(Fixture(name), verify: false);
        using (no_grad())
            foreach (var layer in model.MoeLayers) layer.Router.Bias.zero_();
        Assert.True(LargestDifference(model, Reference(Fixture(name))) > 1e-2);
    }

    [Fact]
    public void The_fixture_routes_through_the_bias_and_the_groups_at_all()
    {
        // The mutations above fail only if the routing they change is exercised: check the fixture's router state.
        using var model = PolicyCheckpoint.Load(Fixture("mla_lowrank_q"), verify: false);
        Assert.Equal(4, model.Config.ExpertGroups);
        Assert.Equal(2, model.Config.ExpertGroupsPerToken);
        Assert.All(model.MoeLayers, layer => Assert.True(layer.Router.Bias.abs().max().item<float>() > 0.1f));
    }
}
