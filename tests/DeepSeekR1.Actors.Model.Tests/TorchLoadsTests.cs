using TorchSharp;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void Matmul_and_backward_run_on_this_machine()
    {
        using var scope = NewDisposeScope();
        var a = randn(64, 64, requires_grad: true);
        var loss = a.matmul(a).sum();
        loss.backward();
        Assert.Equal(new long[] { 64, 64 }, a.grad!.shape);
    }
}
