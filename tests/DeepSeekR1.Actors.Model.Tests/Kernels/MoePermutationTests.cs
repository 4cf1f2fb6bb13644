using DeepSeekR1.Actors.Model.Kernels;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tests.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests.Kernels;

/// <summary>
/// The native MoE token permutation against the layer's TorchSharp chain (argsort + index_select + multiply +
/// index_add): the same route order, bit-identical layer outputs, and the same gradients for every parameter.
/// </summary>
public sealed class MoePermutationTests
{
    [Fact]
    public void Route_order_is_the_argsort_of_expert_then_slot()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var experts = randint(6, [40 * 3], generator: generator);
        var want = (experts * (40 * 3) + arange(40 * 3)).argsort();
        var (order, counts) = MoePermutation.RouteOrder(experts, 6);
        Assert.True(order.eq(want).all().item<bool>());
        for (int e = 0; e < 6; e++) Assert.Equal(experts.eq(e).sum().item<long>(), counts[e]);
    }

    [Theory]
    [InlineData(LoadBalancing.AuxFree)]
    [InlineData(LoadBalancing.AuxLoss)]
    public void A_moe_policy_computes_the_same_outputs_and_gradients_with_either_permutation(LoadBalancing balancing)
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Moe(balancing);
        using var model = new PolicyModel(config, seed: 9);
        model.train();
        using var generator = new Generator(2);
        var ids = randint(config.VocabSize, [3, 11], generator: generator);
        var positions = arange(11).unsqueeze(0).expand(3, 11);

        var (torchHidden, torchGrads) = Run(model, KernelMode.Torch, ids, positions);
        var (nativeHidden, nativeGrads) = Run(model, KernelMode.Native, ids, positions);

        Assert.True(nativeHidden.eq(torchHidden).all().item<bool>(), $"outputs differ by {(nativeHidden - torchHidden).abs().max().item<float>():E3}");
        foreach (var (name, grad) in torchGrads)
            KernelAssert.Close(nativeGrads[name], grad, 1e-6, name);
        Assert.Contains(nativeGrads.Keys, k => k.Contains(".mlp.gate.", StringComparison.Ordinal) || k.Contains("gate.weight", StringComparison.Ordinal));
    }

    private static (Tensor Hidden, Dictionary<string, Tensor> Grads) Run(PolicyModel model, KernelMode mode, Tensor ids, Tensor positions)
    {
        using var use = KernelRuntime.Use(mode);
        model.zero_grad();
        var hidden = model.Hidden(ids, positions);
        var loss = (hidden * hidden).mean();
        foreach (var layer in model.MoeLayers)
            if (layer.LastAuxLoss is { } aux) loss = loss + aux;
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (hidden.detach(), grads);
    }
}
