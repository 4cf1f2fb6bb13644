using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Kernels;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tests.Policy;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Kernels;

/// <summary>
/// The fused linear log-prob + entropy kernel against the TorchSharp reference (full logits, in float64): values and
/// the gradients of the hidden states and the head weight, on ragged shapes, a vocabulary that is not a multiple of
/// the kernel's 128-row block, zero and one token; and the learner's <see cref="TokenLogProbs"/> with the kernel
/// against its chunked TorchSharp path, masked positions and tied embeddings included.
/// </summary>
public sealed class FusedLinearLogProbsTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(0, 8, 50, 1.0)]
    [InlineData(1, 16, 37, 1.0)]
    [InlineData(37, 24, 1000, 0.7)]
    [InlineData(130, 40, 300, 1.3)]
    [InlineData(200, 64, 2_500, 1.0)]
    public void Values_and_gradients_match_the_full_logits_reference(int n, int h, int v, double temperature)
    {
        using var keep = KernelRuntime.Use(KernelMode.Native);
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var hidden = randn([n, h], generator: generator);
        var weight = randn([v, h], generator: generator) * 0.3;
        var targets = randint(v, [n], generator: generator);
        var upstream = randn([n], generator: generator);

        // The reference: every logit held, in float64.
        var hr = hidden.to_type(ScalarType.Float64).requires_grad_();
        var wr = weight.to_type(ScalarType.Float64).requires_grad_();
        var logits = hr.matmul(wr.t()) / temperature;
        var lse = logits.logsumexp(-1);
        var lpRef = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - lse;
        var entRef = lse - (logits.softmax(-1) * logits).sum(-1);
        (lpRef * upstream.to_type(ScalarType.Float64)).sum().backward();

        var hf = hidden.clone().requires_grad_();
        var wf = weight.clone().requires_grad_();
        var (lp, ent) = FusedLinearLogProbs.Apply(hf, wf, targets, temperature);
        (lp * upstream).sum().backward();

        KernelAssert.Close(lp, lpRef.detach(), Tolerance, "log-probs");
        KernelAssert.Close(ent, entRef.detach(), Tolerance, "entropies");
        KernelAssert.Close(wf.grad!, wr.grad!, Tolerance, "head weight gradient");
        if (n > 0) KernelAssert.Close(hf.grad!, hr.grad!, Tolerance, "hidden gradient");
        Assert.False(ent.requires_grad);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TokenLogProbs_with_the_kernel_matches_the_chunked_TorchSharp_path(bool tied)
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Dense() with { TieWordEmbeddings = tied };
        using var model = new PolicyModel(config, seed: 3);
        using var generator = new Generator(11);
        var ids = randint(config.VocabSize, [3, 9], generator: generator);
        // Right padding in row 1, and positions that are not scored (the prompt) in every row: masked tokens.
        var valid = ones([3, 9], ScalarType.Bool);
        valid[1, TensorIndex.Slice(6)] = tensor(false);
        var scored = valid.clone();
        scored[TensorIndex.Colon, TensorIndex.Slice(0, 3)] = tensor(false);
        scored[2, 5] = tensor(false);
        var advantages = randn([3, 9], generator: generator);

        var (torchLp, torchEnt, torchGrads) = Score(model, KernelMode.Torch, ids, valid, scored, advantages);
        var (nativeLp, nativeEnt, nativeGrads) = Score(model, KernelMode.Native, ids, valid, scored, advantages);

        KernelAssert.Close(nativeLp, torchLp, Tolerance, "log-probs");
        KernelAssert.Close(nativeEnt, torchEnt, Tolerance, "entropies");
        Assert.Equal(0f, nativeLp.masked_select(scored.logical_not()).abs().sum().item<float>());
        foreach (var (name, grad) in torchGrads)
            KernelAssert.Close(nativeGrads[name], grad, Tolerance, name);
        Assert.Contains(tied ? "model.embed_tokens.weight" : "lm_head.weight", nativeGrads.Keys);
    }

    [Fact]
    public void The_head_weight_gradient_accumulates_into_an_existing_grad_as_autograd_would()
    {
        using var keep = KernelRuntime.Use(KernelMode.Native);
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var hidden = randn([50, 16], generator: generator);
        var weight = (randn([300, 16], generator: generator) * 0.3).requires_grad_();
        var targets = randint(300, [50], generator: generator);

        FusedLinearLogProbs.Apply(hidden, weight, targets, 1.0).LogProbs.sum().backward();
        var once = weight.grad!.clone();
        FusedLinearLogProbs.Apply(hidden, weight, targets, 1.0).LogProbs.sum().backward();

        KernelAssert.Close(weight.grad!, once * 2, 1e-6, "accumulated gradient");
    }

    [Fact]
    public void Auto_mode_leaves_tensors_the_kernel_does_not_take_to_TorchSharp_and_native_mode_refuses_them()
    {
        using var scope = NewDisposeScope();
        var doubles = zeros([2, 3], ScalarType.Float64);
        using (KernelRuntime.Use(KernelMode.Auto)) Assert.False(KernelRuntime.UseNative("a test", doubles));
        using (KernelRuntime.Use(KernelMode.Torch)) Assert.False(KernelRuntime.UseNative("a test", zeros(2)));
        using (KernelRuntime.Use(KernelMode.Native))
        {
            Assert.True(KernelRuntime.UseNative("a test", zeros(2)));
            var e = Assert.Throws<NotSupportedException>(() => KernelRuntime.UseNative("a test", doubles));
            Assert.Contains("Float64", e.Message);
        }
    }

    [Fact]
    public void The_library_loads_and_describes_its_build()
    {
        Assert.True(KernelRuntime.IsLoaded, KernelRuntime.Describe());
        Assert.Contains("cpu=", KernelRuntime.Describe());
    }

    [Fact]
    public void An_unknown_mode_is_a_configuration_error_naming_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => KernelModes.Parse("fast"));
        Assert.Contains("r1.kernels.mode", e.Message);
    }

    private static (Tensor LogProbs, Tensor Entropy, Dictionary<string, Tensor> Grads) Score(PolicyModel model, KernelMode mode,
        Tensor ids, Tensor valid, Tensor scored, Tensor advantages)
    {
        using var use = KernelRuntime.Use(mode);
        model.zero_grad();
        var scores = TokenLogProbs.Compute(model, ids, valid, scored, temperature: 0.8, withEntropy: true);
        (scores.LogProbs * advantages).sum().backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (scores.LogProbs.detach(), scores.Entropy!, grads);
    }
}
