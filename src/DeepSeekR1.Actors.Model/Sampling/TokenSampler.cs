using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>
/// Chooses the next token of every row from its logits, by inverse-CDF sampling with one uniform draw per row
/// supplied by the caller (so each row's randomness is its own). Applies temperature, top-k and top-p.
/// </summary>
public static class TokenSampler
{
    /// <summary>
    /// Samples from <paramref name="logits"/> [rows, vocab] with the uniform draws <paramref name="uniforms"/> (one per
    /// row, in [0, 1)). Returns the chosen token ids [rows] and their log-probabilities [rows] at the sampling temperature.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Sample(Tensor logits, double[] uniforms, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var scaled = logits.to_type(ScalarType.Float32);
        if (options.Temperature == 0)
        {
            var greedy = scaled.argmax(-1);
            var lp = scaled.log_softmax(-1).gather(-1, greedy.unsqueeze(-1)).squeeze(-1);
            return (greedy.MoveToOuterDisposeScope(), lp.MoveToOuterDisposeScope());
        }

        if (options.Temperature != 1.0) scaled = scaled / options.Temperature;
        var logProbs = scaled.log_softmax(-1);
        bool truncates = options.TopP < 1.0 || (options.TopK > 0 && options.TopK < logProbs.shape[1]);
        var (tokens, chosenLogProbs) = truncates
            ? SampleTruncated(logProbs, uniforms, options)
            : SampleFull(logProbs, uniforms);
        return (tokens.MoveToOuterDisposeScope(), chosenLogProbs.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Sampling from the whole distribution: the inverse CDF in vocabulary order. Sorting would only matter for
    /// truncation, and a sort of every row's vocabulary costs more than the rest of the sampler together.
    /// </summary>
    private static (Tensor Tokens, Tensor LogProbs) SampleFull(Tensor logProbs, double[] uniforms)
    {
        var probs = logProbs.exp();
        return probs.device_type == TorchSharp.DeviceType.CPU
            ? InvertCdfOnCpu(logProbs.contiguous(), probs.contiguous(), uniforms)
            : InvertCdfWithTensorOps(logProbs, probs, uniforms);
    }

    /// <summary>The inverse CDF as libtorch ops, for any device: what <see cref="InvertCdfOnCpu"/> must equal.</summary>
    internal static (Tensor Tokens, Tensor LogProbs) InvertCdfWithTensorOps(Tensor logProbs, Tensor probs, double[] uniforms)
    {
        long vocab = logProbs.shape[1];
        var cdf = probs.to_type(ScalarType.Float64).cumsum(-1);
        var target = Targets(uniforms, cdf);
        // The first token whose cumulative mass exceeds the target; a token with zero mass never is (its cdf equals
        // its predecessor's), except as the fallback past the end when rounding lifted the target to the total.
        var choice = cdf.narrow(1, 0, vocab - 1).le(target).sum(-1, keepdim: true);
        choice = where(probs.gather(-1, choice).gt(0), choice, probs.argmax(-1, keepdim: true));
        return (choice.squeeze(-1), logProbs.gather(-1, choice).squeeze(-1));
    }

    /// <summary>
    /// <see cref="SampleFull"/>'s inverse CDF as one loop per row over CPU memory: the same float64 running sum in the
    /// same order as libtorch's cumsum, the same comparisons, so the same token and log-prob to the bit. A decoding
    /// step at batch 256 spent about 2 % of its time in the ten small libtorch ops this replaces (docs/generation.md).
    /// </summary>
    internal static unsafe (Tensor Tokens, Tensor LogProbs) InvertCdfOnCpu(Tensor logProbs, Tensor probs, double[] uniforms)
    {
        TensorMemory.RequireContiguous(probs, ScalarType.Float32, nameof(probs));
        TensorMemory.RequireContiguous(logProbs, ScalarType.Float32, nameof(logProbs));
        if (!logProbs.shape.SequenceEqual(probs.shape) || probs.dim() != 2 || uniforms.Length != probs.shape[0])
            throw new ArgumentException($"inverse CDF: probs [{string.Join(", ", probs.shape)}], log-probs [{string.Join(", ", logProbs.shape)}] and {uniforms.Length} draws do not agree");
        int rows = (int)probs.shape[0], vocab = (int)probs.shape[1];
        var tokens = new long[rows];
        var chosen = new float[rows];
        var p = (float*)TensorMemory.Data(probs);
        var lp = (float*)TensorMemory.Data(logProbs);
        for (int r = 0; r < rows; r++, p += vocab, lp += vocab)
        {
            double total = 0;
            for (int j = 0; j < vocab; j++) total += p[j];
            double target = uniforms[r] * total;
            int choice = vocab - 1;
            double cumulative = 0;
            for (int j = 0; j < vocab - 1; j++)
            {
                cumulative += p[j];
                if (cumulative > target) { choice = j; break; }
            }
            if (!(p[choice] > 0)) choice = FirstLargest(p, vocab);
            tokens[r] = choice;
            chosen[r] = lp[choice];
        }
        GC.KeepAlive(probs);
        GC.KeepAlive(logProbs);
        return (tensor(tokens), tensor(chosen));
    }

    private static unsafe int FirstLargest(float* values, int count)
    {
        int best = 0;
        for (int j = 1; j < count; j++)
            if (values[j] > values[best]) best = j;
        return best;
    }

    /// <summary>Top-k / top-p sampling: tokens in order of probability, the tail cut, the inverse CDF over the rest.</summary>
    private static (Tensor Tokens, Tensor LogProbs) SampleTruncated(Tensor logProbs, double[] uniforms, SamplingOptions options)
    {
        var (sortedLogProbs, sortedIds) = logProbs.sort(-1, descending: true);
        var probs = sortedLogProbs.exp();
        if (options.TopK > 0 && options.TopK < probs.shape[1])
            probs = probs.narrow(1, 0, options.TopK);
        if (options.TopP < 1.0)
        {
            // Keep a token when the mass before it is still short of top-p: the smallest prefix reaching top-p.
            var before = probs.cumsum(-1) - probs;
            probs = probs * before.lt(options.TopP).to_type(probs.dtype);
        }
        var cdf = probs.to_type(ScalarType.Float64).cumsum(-1);
        var choice = cdf.lt(Targets(uniforms, cdf)).sum(-1).clamp_max(cdf.shape[1] - 1);
        // A token with zero kept mass can only be reached through rounding at the very end: step back to the last kept one.
        var kept = probs.gt(0).sum(-1) - 1;
        choice = minimum(choice, kept).unsqueeze(-1);
        return (sortedIds.gather(-1, choice).squeeze(-1), sortedLogProbs.gather(-1, choice).squeeze(-1));
    }

    /// <summary>
    /// Each row's draw scaled to its total kept mass, [rows, 1]. In float64 so the choice depends on the draw, not on
    /// float32 rounding of a long cumulative sum.
    /// </summary>
    private static Tensor Targets(double[] uniforms, Tensor cdf) =>
        tensor(uniforms, ScalarType.Float64, device: cdf.device).unsqueeze(1) * cdf.narrow(1, cdf.shape[1] - 1, 1);
}
