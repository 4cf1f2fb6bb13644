using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Policy;

public class MoeTests
{
    private static void CopyInto(SwiGluMlp target, SwiGluMlp source)
    {
        using var _ = no_grad();
        var src = source.state_dict();
        foreach (var (name, p) in target.named_parameters()) p.copy_(src[name]);
    }

    [Theory]
    [InlineData(LoadBalancing.AuxFree)]
    [InlineData(LoadBalancing.AuxLoss)]
    public void Moe_with_identical_experts_equals_the_dense_mlp(LoadBalancing balancing)
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe(balancing) with { NumSharedExperts = 0, NormTopkProb = true, RoutedScalingFactor = 1.0 };
        using var moe = new MoeLayer(config, 0);
        using var dense = new SwiGluMlp(config.HiddenSize, config.MoeIntermediateSize);
        for (int e = 0; e < config.NumRoutedExperts; e++) CopyInto(moe.Expert(e), dense);
        var x = randn(3, 5, config.HiddenSize);
        // Normalised top-k weights sum to one, so k copies of one expert give back that expert's output.
        Assert.True((moe.forward(x) - dense.forward(x)).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Every_token_is_routed_to_k_experts()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe();
        using var moe = new MoeLayer(config, 0);
        moe.forward(randn(2, 7, config.HiddenSize));
        Assert.Equal(2 * 7 * config.ExpertsPerToken, moe.Router.LastTokensPerExpert.Sum());
    }

    [Fact]
    public void Aux_free_bias_rises_for_underloaded_experts_and_falls_for_overloaded()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe() with { BiasUpdateSpeed = 0.1 };
        using var moe = new MoeLayer(config, 0);
        moe.train();
        moe.forward(randn(4, 16, config.HiddenSize));
        long[] load = moe.Router.LastTokensPerExpert;
        double mean = load.Average();
        moe.Router.UpdateBias();
        var bias = moe.Router.Bias.data<float>().ToArray();
        for (int e = 0; e < load.Length; e++)
            Assert.Equal(0.1 * Math.Sign(mean - load[e]), bias[e], 5);
    }

    [Fact]
    public void Aux_loss_is_positive_and_trains_the_router()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe(LoadBalancing.AuxLoss);
        using var model = new PolicyModel(config, seed: 1);
        model.train();
        model.Forward(randint(2, 97, [2, 6]), arange(6).unsqueeze(0).expand(2, 6));
        var aux = model.AuxLoss();
        Assert.NotNull(aux);
        Assert.True(aux!.item<float>() > 0);
        aux.backward();
        var routerGrad = model.named_parameters().Single(p => p.name == "model.layers.1.mlp.gate.weight").parameter.grad;
        Assert.NotNull(routerGrad);
        Assert.True(routerGrad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Custom_expert_executor_receives_the_routed_tokens()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe() with { NumSharedExperts = 0 };
        using var moe = new MoeLayer(config, 0);
        var x = randn(1, 9, config.HiddenSize);
        var expected = moe.forward(x);
        var recording = new RecordingExecutor(moe);
        moe.Executor = recording;
        var actual = moe.forward(x);
        Assert.Equal(9 * config.ExpertsPerToken, recording.TokensSeen);
        Assert.True(actual.allclose(expected));
    }

    private sealed class RecordingExecutor(MoeLayer layer) : IExpertExecutor
    {
        public long TokensSeen { get; private set; }

        public IReadOnlyList<Tensor> Forward(int layerIndex, IReadOnlyList<ExpertInput> inputs)
        {
            TokensSeen += inputs.Sum(i => i.Tokens.shape[0]);
            return inputs.Select(i => layer.Expert(i.Expert).forward(i.Tokens)).ToArray();
        }
    }
}
