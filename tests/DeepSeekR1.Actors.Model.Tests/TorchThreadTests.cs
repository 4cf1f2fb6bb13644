using DeepSeekR1.Actors.Model;
using TorchSharp;

namespace DeepSeekR1.Actors.Model.Tests;

public sealed class TorchThreadTests
{
    private static readonly TorchThread Torch = TorchThread.Shared;

    [Fact]
    public async Task Every_invocation_runs_on_the_same_thread_and_not_the_callers()
    {
        int caller = Environment.CurrentManagedThreadId;
        var seen = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => Torch.Invoke(() => (Environment.CurrentManagedThreadId, Torch.IsCurrent)))));
        Assert.All(seen, s => Assert.True(s.IsCurrent));
        Assert.Single(seen.Select(s => s.CurrentManagedThreadId).Distinct());
        Assert.Equal(Torch.ManagedThreadId, seen[0].CurrentManagedThreadId);
        Assert.NotEqual(caller, seen[0].CurrentManagedThreadId);
        Assert.False(Torch.IsCurrent);
    }

    [Fact]
    public void An_exception_reaches_the_caller_with_its_type_and_the_thread_goes_on()
    {
        var e = Assert.Throws<InvalidDataException>(() => Torch.Invoke(() => throw new InvalidDataException("bad shard 3")));
        Assert.Equal("bad shard 3", e.Message);
        Assert.Equal(42, Torch.Invoke(() => 42));
    }

    [Fact]
    public void A_nested_invocation_runs_inline_instead_of_waiting_for_itself()
    {
        int inner = Torch.Invoke(() => Torch.Invoke(() => Environment.CurrentManagedThreadId));
        Assert.Equal(Torch.ManagedThreadId, inner);
    }

    [Fact]
    public void Posted_work_runs_in_order_before_a_later_invocation()
    {
        var order = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            int n = i;
            Torch.Post(() => order.Add(n));
        }
        Torch.Invoke(() => order.Add(-1));
        Assert.Equal([.. Enumerable.Range(0, 20), -1], order);
    }

    [Fact]
    public void Tensor_work_inside_an_invocation_keeps_its_dispose_scope_and_grad_mode()
    {
        var (sum, gradInside) = Torch.Invoke(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var x = torch.ones(3, 4, requires_grad: true);
            var y = (x * 2).sum();
            return (y.item<float>(), y.requires_grad);
        });
        Assert.Equal(24f, sum);
        Assert.False(gradInside);
        Assert.True(Torch.Invoke(() => torch.is_grad_enabled()));
    }
}
