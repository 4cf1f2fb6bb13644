using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tests.Checkpoints;
using DeepSeekR1.Actors.Model.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

/// <summary>
/// <c>r1.model.dtype = bfloat16</c> (issue 23): the policy holds its weights in bfloat16 and computes close to the
/// float32 policy it was rounded from; checkpoints load into bfloat16 as stored.
/// </summary>
public sealed class BFloat16PolicyTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    private static ModelConfig Bf16(ModelConfig config) => config with { Dtype = ModelDtype.Bfloat16 };

    // A model a little wider than TinyModels.Dense, so that its logits are not all near zero.
    private static ModelConfig Shape => TinyModels.Dense() with { HiddenSize = 64, IntermediateSize = 128 };

    private static readonly long[] Prompt = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26];

    private static Tensor Logits(PolicyModel model)
    {
        using var noGrad = no_grad();
        var ids = tensor(Prompt).unsqueeze(0);
        return model.Forward(ids, arange(Prompt.Length).unsqueeze(0)).to_type(ScalarType.Float32);
    }

    [Fact]
    public void A_bfloat16_policy_holds_every_parameter_in_bfloat16_at_half_the_bytes()
    {
        using var f32 = new PolicyModel(Shape, seed: 9);
        using var bf16 = new PolicyModel(Bf16(Shape), seed: 9);
        Assert.All(bf16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.All(f32.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        long Bytes(PolicyModel m) => m.parameters().Sum(p => p.numel() * p.ElementSize);
        Assert.Equal(0.5, (double)Bytes(bf16) / Bytes(f32));
        // The same seed gives the float32 weights rounded, not another draw.
        using var scope = NewDisposeScope();
        var a = f32.Decoder.Embeddings.weight!.to_type(ScalarType.BFloat16);
        Assert.True(a.eq(bf16.Decoder.Embeddings.weight!).all().item<bool>());
    }

    [Theory]
    [InlineData(AttentionKind.Gqa)]
    [InlineData(AttentionKind.Mla)]
    public void Bfloat16_logits_are_within_bfloat16_rounding_of_float32_logits_on_the_same_weights(AttentionKind attention)
    {
        var shape = Shape with { Attention = attention, QkNopeHeadDim = 16, QkRopeHeadDim = 8, VHeadDim = 16, KvLoraRank = 32 };
        using var f32 = new PolicyModel(shape, seed: 9);
        using var bf16 = new PolicyModel(Bf16(shape), seed: 9);
        using var scope = NewDisposeScope();
        var reference = Logits(f32);
        var low = Logits(bf16);
        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 per op). Stated tolerance: the largest logit error
        // within 3% of the largest logit, the mean within 1%, and the same argmax at most positions.
        double scale = reference.abs().max().item<float>();
        double max = (low - reference).abs().max().item<float>();
        double mean = (low - reference).abs().mean().item<float>();
        Assert.True(max < 0.03 * scale, $"max |bf16 - f32| = {max} for logits up to {scale}");
        Assert.True(mean < 0.01 * scale, $"mean |bf16 - f32| = {mean} for logits up to {scale}");
        Assert.True(max > 0, "bfloat16 logits equal float32 ones exactly: the model did not compute in bfloat16");
        double agree = low.argmax(-1).eq(reference.argmax(-1)).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(agree >= 0.75, $"argmax agrees at {agree:P0} of positions");
    }

    [Fact]
    public void Rms_norm_of_a_bfloat16_input_normalises_in_float32_then_rounds_and_scales_as_hugging_face_does()
    {
        using var scope = NewDisposeScope();
        using var norm = new RmsNorm(64, 1e-6);
        norm.to(ScalarType.BFloat16);
        using (no_grad()) norm.Weight.copy_(linspace(0.5, 1.5, 64));
        var x = (randn([16, 64], generator: new TorchSharp.torch.Generator(5)) * 3).to_type(ScalarType.BFloat16);
        // transformers' LlamaRMSNorm / Qwen2RMSNorm: hidden.float() * rsqrt(mean(hidden^2) + eps), .to(input dtype), * weight.
        var wide = x.to_type(ScalarType.Float32);
        var expected = (wide * wide.square().mean([-1L], keepdim: true).add(1e-6).rsqrt()).to_type(ScalarType.BFloat16) * norm.Weight;
        using var noGrad = no_grad();
        var actual = norm.forward(x);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.True(actual.eq(expected).all().item<bool>(), "RMSNorm of a bfloat16 input differs from the float32 normalisation rounded");
    }

    [Fact]
    public void Generation_with_the_kv_cache_runs_in_bfloat16_and_its_log_probs_match_the_learners_scoring()
    {
        using var model = new PolicyModel(Bf16(Shape), seed: 9);
        var options = SamplingOptions.Defaults with { MaxNewTokens = 8, Temperature = 1.0, StopTokenIds = [96] };
        var result = PolicyGenerator.Generate(model, [new GenerationRequest(Prompt.Select(t => (int)t).ToArray(), 3UL)], options)[0];
        Assert.NotEmpty(result.TokenIds);
        // pi_old from the sampler (KV cache, one token a step) against the learner's full-sequence scoring, both bfloat16:
        // different op orders round differently, so equal within bfloat16 noise, not bit for bit.
        using var scope = NewDisposeScope();
        var ids = Prompt.Concat(result.TokenIds.Select(t => (long)t)).ToArray();
        var scored = ids.Select((_, i) => i >= Prompt.Length).ToArray();
        using var noGrad = no_grad();
        using var scores = TokenLogProbs.Compute(model, tensor(ids).unsqueeze(0), ones([1, ids.Length], ScalarType.Bool), tensor(scored).unsqueeze(0));
        Assert.Equal(ScalarType.Float32, scores.LogProbs.dtype);
        var learner = scores.LogProbs[0].data<float>().ToArray()[Prompt.Length..];
        for (int i = 0; i < learner.Length; i++)
            Assert.True(Math.Abs(learner[i] - result.LogProbs[i]) < 0.05, $"token {i}: sampler {result.LogProbs[i]}, learner {learner[i]}");
    }

    [Fact]
    public void A_left_padded_bfloat16_batch_generates_each_row_as_it_would_alone()
    {
        // Padding masks, the offset causal mask and the cache's row removal all run in bfloat16 here.
        using var model = new PolicyModel(Bf16(Shape), seed: 9);
        var options = SamplingOptions.Defaults with { MaxNewTokens = 6, Temperature = 0, StopTokenIds = [] };
        var longer = new GenerationRequest(Prompt.Select(t => (int)t).ToArray(), 1UL);
        var shorter = new GenerationRequest(Prompt.Take(5).Select(t => (int)t).ToArray(), 2UL);
        var together = PolicyGenerator.Generate(model, [longer, shorter], options);
        var alone = PolicyGenerator.Generate(model, [shorter], options)[0];
        Assert.Equal(6, together[1].TokenIds.Count);
        Assert.Equal(alone.TokenIds, together[1].TokenIds);
        for (int i = 0; i < alone.LogProbs.Count; i++) Assert.Equal(alone.LogProbs[i], together[1].LogProbs[i], 0.05);
    }

    [Fact]
    public void A_bfloat16_checkpoint_loads_into_bfloat16_parameters_bit_for_bit()
    {
        using var model = new PolicyModel(Bf16(Shape), seed: 9);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root.Path, "bf16"));
        var header = SafetensorsReader.ReadHeader(Path.Combine(dir, "model.safetensors"));
        Assert.All(header.Tensors, t => Assert.Equal(SafetensorsDType.BF16, t.DType));
        using var loaded = PolicyCheckpoint.Load(dir, dtype: ModelDtype.Bfloat16);
        Assert.Equal(ModelDtype.Bfloat16, loaded.Config.Dtype);
        var saved = model.state_dict();
        foreach (var (name, p) in loaded.state_dict())
        {
            Assert.Equal(ScalarType.BFloat16, p.dtype);
            Assert.True(p.eq(saved[name]).all().item<bool>(), $"{name} differs after the round trip");
        }
        // Without the setting a checkpoint loads as it always did: float32 parameters.
        using var wide = PolicyCheckpoint.Load(dir);
        Assert.All(wide.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void A_float32_checkpoint_loads_into_bfloat16_rounded()
    {
        using var model = new PolicyModel(Shape, seed: 9);
        string dir = PolicyCheckpoint.Save(model, Path.Combine(root.Path, "f32"));
        using var loaded = PolicyCheckpoint.Load(dir, dtype: ModelDtype.Bfloat16);
        using var scope = NewDisposeScope();
        var saved = model.state_dict();
        foreach (var (name, p) in loaded.state_dict())
            Assert.True(p.eq(saved[name].to_type(ScalarType.BFloat16)).all().item<bool>(), $"{name} is not the float32 weight rounded to bfloat16");
    }

    [Fact]
    public void An_invalid_dtype_fails_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("r1.model.dtype = float16").WithFallback(ShippedDefaults.Config);
        var e = Assert.Throws<ConfigException>(() => HoconBinder.Bind<ModelConfig>(config, "r1.model"));
        Assert.Contains("r1.model.dtype", e.Message);
        Assert.Contains("bfloat16", e.Message);
        Assert.Equal(ModelDtype.Float32, ModelConfig.Defaults.Dtype);
    }
}
