using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DeepSeekR1.Actors.Model.Kernels;

/// <summary>
/// Per-token log-probabilities and entropies of the output head, fused: from hidden states [n, h], the head weight
/// [v, h] (lm_head or the tied embedding) and target ids [n], computes log softmax(h W^T / T)[target] and the entropy
/// without ever holding the [n, v] logits, forward or backward (kernels/src/cpu/linear_logprob_impl.hpp). A TorchSharp
/// autograd function: gradients flow to the hidden states and to the weight (the embedding too when tied), and the
/// entropy is returned detached, as the learner uses it. The reference it must equal is the chunked TorchSharp loop in
/// <see cref="Training.TokenLogProbs"/>.
/// </summary>
public sealed class FusedLinearLogProbs : MultiTensorFunction<FusedLinearLogProbs>
{
    /// <inheritdoc />
    public override string Name => "r1k_linear_logprob";

    /// <summary>
    /// (log-probs [n], entropies [n]) of <paramref name="targets"/> under softmax(hidden W^T / temperature). Requires
    /// <see cref="KernelRuntime.UseNative"/> to have said yes for these tensors.
    /// </summary>
    public static (Tensor LogProbs, Tensor Entropy) Apply(Tensor hidden, Tensor weight, Tensor targets, double temperature)
    {
        if (!(temperature > 0)) throw new ArgumentException("temperature must be positive", nameof(temperature));
        var outputs = apply(hidden, weight, targets, 1.0 / temperature);
        return (outputs[0], outputs[1]);
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets, invT) = Arguments(vars);
        long n = hidden.shape[0], h = hidden.shape[1], v = weight.shape[0];
        var logprob = empty([n], ScalarType.Float32, hidden.device);
        var entropy = empty([n], ScalarType.Float32, hidden.device);
        var lse = empty([n], ScalarType.Float32, hidden.device);
        unsafe
        {
            NativeKernels.Check(NativeKernels.LinearLogprobForward(KernelRuntime.DeviceOf(hidden), KernelRuntime.Threads,
                (float*)TensorMemory.Data(hidden), (float*)TensorMemory.Data(weight), (long*)TensorMemory.Data(targets),
                n, h, v, (float)invT, (float*)TensorMemory.Data(logprob), (float*)TensorMemory.Data(entropy),
                (float*)TensorMemory.Data(lse)), "r1k_linear_logprob_forward");
        }
        GC.KeepAlive(hidden);
        GC.KeepAlive(weight);
        GC.KeepAlive(targets);
        ctx.save_for_backward([hidden, weight, targets, lse]);
        ctx.save_data("inv_temperature", invT);
        ctx.mark_non_differentiable([entropy]);
        // TorchSharp materialises a missing output gradient from a tensor it creates here, in the caller's dispose
        // scope, which is gone by the time backward runs: take undefined gradients as they are instead.
        ctx.set_materialize_grads(false);
        return [logprob, entropy];
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        Tensor hidden = saved[0], weight = saved[1], targets = saved[2], lse = saved[3];
        double invT = (double)ctx.get_data("inv_temperature");
        long n = hidden.shape[0], h = hidden.shape[1], v = weight.shape[0];
        var upstream = grad_outputs[0];
        if (upstream.IsInvalid) return [null!, null!, null!, null!];   // only the (detached) entropy was used
        var grad = NativeTensors.Dense(upstream.to(hidden.device), ScalarType.Float32, "grad of the log-probs", n);
        var gradHidden = empty([n, h], ScalarType.Float32, hidden.device);
        // The head weight's gradient goes straight into its .grad (created here on the first pass) when the weight is
        // the parameter itself: autograd would otherwise copy the [v, h] gradient we return into .grad, because this
        // managed tensor still references it, and two [v, h] tensors would exist at the peak (Megatron's
        // gradient_accumulation_fusion does the same). Gradient hooks on the weight do not see this contribution.
        var into = GradientBuffer(weight);
        var gradWeight = into ?? empty([v, h], ScalarType.Float32, hidden.device);
        unsafe
        {
            NativeKernels.Check(NativeKernels.LinearLogprobBackward(KernelRuntime.DeviceOf(hidden), KernelRuntime.Threads,
                (float*)TensorMemory.Data(hidden), (float*)TensorMemory.Data(weight), (long*)TensorMemory.Data(targets),
                (float*)TensorMemory.Data(lse), (float*)TensorMemory.Data(grad), n, h, v, (float)invT,
                (float*)TensorMemory.Data(gradHidden), (float*)TensorMemory.Data(gradWeight), into is null ? 0 : 1),
                "r1k_linear_logprob_backward");
        }
        GC.KeepAlive(hidden);
        GC.KeepAlive(weight);
        GC.KeepAlive(targets);
        GC.KeepAlive(lse);
        GC.KeepAlive(grad);
        GC.KeepAlive(gradWeight);
        // One gradient per input of apply: hidden, weight (none when accumulated in place), targets (none), and the
        // temperature (not a tensor).
        return [gradHidden, into is null ? gradWeight : null!, null!, null!];
    }

    // The weight's own gradient buffer to accumulate into, when the saved weight is a parameter (a leaf that requires
    // grad) whose .grad is absent (then a zeroed one is attached) or a dense float32 tensor of its shape; else null.
    private static Tensor? GradientBuffer(Tensor weight)
    {
        if (!weight.is_leaf || !weight.requires_grad) return null;
        var existing = weight.grad;
        if (existing is null || existing.IsInvalid)
        {
            weight.grad = zeros_like(weight);
            return weight.grad;
        }
        bool usable = existing.dtype == ScalarType.Float32 && existing.is_contiguous()
            && existing.device_type == weight.device_type && existing.device_index == weight.device_index
            && existing.shape.SequenceEqual(weight.shape);
        return usable ? existing : null;
    }

    private static (Tensor Hidden, Tensor Weight, Tensor Targets, double InvT) Arguments(object[] vars)
    {
        var hidden = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var targets = (Tensor)vars[2];
        double invT = (double)vars[3];
        if (hidden.dim() != 2 || weight.dim() != 2 || hidden.shape[1] != weight.shape[1])
            throw new ArgumentException($"fused log-probs: hidden [n, h] and weight [v, h] expected, got [{string.Join(", ", hidden.shape)}] and [{string.Join(", ", weight.shape)}]");
        long n = hidden.shape[0], h = hidden.shape[1], v = weight.shape[0];
        NativeTensors.SameDevice("fused log-probs", hidden, weight, targets);
        return (NativeTensors.Dense(hidden, ScalarType.Float32, "hidden", n, h),
            NativeTensors.Dense(weight, ScalarType.Float32, "weight", v, h),
            NativeTensors.Dense(targets, ScalarType.Int64, "targets", n), invT);
    }
}
