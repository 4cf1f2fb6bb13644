using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>
/// MoE token permutation through kernels/ (kernels/src/cpu/moe_permute.cpp): the route order (slots sorted by expert,
/// stably), the gather of token rows into expert-grouped rows (the layout expert shards receive), and the weighted
/// scatter-add back, each with its backward. It replaces <see cref="Policy.Moe.MoeLayer"/>'s argsort + index_select +
/// multiply + index_add chain and sums each token's rows in the same order, so the results are bit-identical.
/// </summary>
public static class MoePermutation
{
    /// <summary>
    /// The slots (token * k + choice) in expert order, and the rows each expert gets. <paramref name="experts"/> [n * k]
    /// holds each slot's expert; the order equals argsort(expert * (n * k) + slot). Computed on the CPU (O(slots)).
    /// </summary>
    public static (Tensor Order, long[] Counts) RouteOrder(Tensor experts, int numExperts)
    {
        var cpuExperts = NativeTensors.Dense(experts.to(CPU), ScalarType.Int64, "experts", experts.shape[0]);
        long slots = cpuExperts.shape[0];
        var order = empty([slots], ScalarType.Int64);
        var counts = new long[numExperts];
        unsafe
        {
            fixed (long* c = counts)
                NativeKernels.Check(NativeKernels.MoeRouteOrder((long*)TensorMemory.Data(cpuExperts), slots, numExperts,
                    (long*)TensorMemory.Data(order), c), "r1k_moe_route_order");
        }
        GC.KeepAlive(cpuExperts);
        return (order.to(experts.device), counts);
    }

    /// <summary>rows[r] = x[order[r] / k]: x [n, h] to [n * k, h] grouped by expert. Gradient: the unweighted scatter-add.</summary>
    public static Tensor Gather(Tensor x, Tensor order, int k) => MoeGatherFunction.apply(x, order, k);

    /// <summary>
    /// y[t] = sum of weights[slot] * rows[r] over token t's k sorted positions r (slot = order[r]), in ascending r.
    /// rows [n * k, h], weights [n * k] by slot, y [n, h]. Gradients reach the rows and the weights.
    /// </summary>
    public static Tensor Scatter(Tensor rows, Tensor weights, Tensor order, long n, int k) =>
        MoeScatterFunction.apply(rows, weights, order, n, k);

    internal static unsafe Tensor ScatterRaw(Tensor rows, Tensor? weights, Tensor order, long n, int k)
    {
        long h = rows.shape[1];
        var r = NativeTensors.Dense(rows, ScalarType.Float32, "expert rows", n * k, h);
        var w = weights is null ? null : NativeTensors.Dense(weights, ScalarType.Float32, "routing weights", n * k);
        var o = NativeTensors.Dense(order, ScalarType.Int64, "route order", n * k);
        var y = empty([n, h], ScalarType.Float32, rows.device);
        NativeKernels.Check(NativeKernels.MoeScatter(KernelRuntime.DeviceOf(r), KernelRuntime.Threads, (float*)TensorMemory.Data(r),
            w is null ? null : (float*)TensorMemory.Data(w), (long*)TensorMemory.Data(o), n, k, h, (float*)TensorMemory.Data(y)), "r1k_moe_scatter");
        GC.KeepAlive(r);
        GC.KeepAlive(w);
        GC.KeepAlive(o);
        return y;
    }
}

/// <summary>The gather of <see cref="MoePermutation.Gather"/> as an autograd function.</summary>
public sealed class MoeGatherFunction : SingleTensorFunction<MoeGatherFunction>
{
    /// <inheritdoc />
    public override string Name => "r1k_moe_gather";

    /// <inheritdoc />
    public override unsafe Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var order = (Tensor)vars[1];
        int k = (int)vars[2];
        long n = x.shape[0], h = x.shape[1];
        NativeTensors.SameDevice("moe gather", x, order);
        var xd = NativeTensors.Dense(x, ScalarType.Float32, "token rows", n, h);
        var od = NativeTensors.Dense(order, ScalarType.Int64, "route order", n * k);
        var rows = empty([n * k, h], ScalarType.Float32, x.device);
        NativeKernels.Check(NativeKernels.MoeGather(KernelRuntime.DeviceOf(xd), KernelRuntime.Threads, (float*)TensorMemory.Data(xd),
            (long*)TensorMemory.Data(od), n, k, h, (float*)TensorMemory.Data(rows)), "r1k_moe_gather");
        GC.KeepAlive(xd);
        GC.KeepAlive(od);
        ctx.save_for_backward([od]);
        ctx.set_materialize_grads(false);   // see FusedLinearLogProbs.forward
        ctx.save_data("n", n);
        ctx.save_data("k", k);
        return rows;
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        if (grad_output.IsInvalid) return [null!, null!, null!];
        var order = ctx.get_saved_variables()[0];
        long n = (long)ctx.get_data("n");
        int k = (int)ctx.get_data("k");
        return [MoePermutation.ScatterRaw(grad_output, null, order, n, k), null!, null!];
    }
}

/// <summary>The weighted scatter-add of <see cref="MoePermutation.Scatter"/> as an autograd function.</summary>
public sealed class MoeScatterFunction : SingleTensorFunction<MoeScatterFunction>
{
    /// <inheritdoc />
    public override string Name => "r1k_moe_scatter";

    /// <inheritdoc />
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var rows = (Tensor)vars[0];
        var weights = (Tensor)vars[1];
        var order = (Tensor)vars[2];
        long n = (long)vars[3];
        int k = (int)vars[4];
        NativeTensors.SameDevice("moe scatter", rows, weights, order);
        var rd = NativeTensors.Dense(rows, ScalarType.Float32, "expert rows", n * k, rows.shape[1]);
        var wd = NativeTensors.Dense(weights, ScalarType.Float32, "routing weights", n * k);
        var od = NativeTensors.Dense(order, ScalarType.Int64, "route order", n * k);
        ctx.save_for_backward([rd, wd, od]);
        ctx.set_materialize_grads(false);   // see FusedLinearLogProbs.forward
        ctx.save_data("n", n);
        ctx.save_data("k", k);
        return MoePermutation.ScatterRaw(rd, wd, od, n, k);
    }

    /// <inheritdoc />
    public override unsafe List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        if (grad_output.IsInvalid) return [null!, null!, null!, null!, null!];
        var saved = ctx.get_saved_variables();
        Tensor rows = saved[0], weights = saved[1], order = saved[2];
        long n = (long)ctx.get_data("n");
        int k = (int)ctx.get_data("k");
        long h = rows.shape[1];
        var gy = NativeTensors.Dense(grad_output, ScalarType.Float32, "grad of the combined rows", n, h);
        var gradRows = empty([n * k, h], ScalarType.Float32, rows.device);
        var gradWeights = empty([n * k], ScalarType.Float32, rows.device);
        NativeKernels.Check(NativeKernels.MoeScatterBackward(KernelRuntime.DeviceOf(rows), KernelRuntime.Threads,
            (float*)TensorMemory.Data(rows), (float*)TensorMemory.Data(weights), (long*)TensorMemory.Data(order),
            (float*)TensorMemory.Data(gy), n, k, h, (float*)TensorMemory.Data(gradRows), (float*)TensorMemory.Data(gradWeights)),
            "r1k_moe_scatter_backward");
        GC.KeepAlive(rows);
        GC.KeepAlive(weights);
        GC.KeepAlive(order);
        GC.KeepAlive(gy);
        return [gradRows, gradWeights, null!, null!, null!];
    }
}
