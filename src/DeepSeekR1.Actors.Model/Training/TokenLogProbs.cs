using DeepSeekR1.Actors.Model.Kernels;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Training;

/// <summary>Per-token log-probabilities (and entropies) of a batch of sequences, aligned with the token positions.</summary>
/// <param name="LogProbs">[batch, seq]: at position t, log p(token t | tokens before t) for scored positions, else 0.</param>
/// <param name="Entropy">[batch, seq]: the entropy of the distribution that produced token t (detached), else 0; null if not asked for.</param>
public sealed record TokenScores(Tensor LogProbs, Tensor? Entropy) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        LogProbs.Dispose();
        Entropy?.Dispose();
    }
}

/// <summary>
/// Computes the log-probability of the tokens that are scored (the completion tokens in RL, the target tokens in SFT)
/// under the policy. Only the positions that are scored go through the output head, and they go in chunks, so the
/// full [batch, seq, vocab] log-softmax never exists: without gradient (old and reference log-probs) the peak is one
/// chunk's logits. With gradient, autograd keeps each chunk's logits for the backward pass: that is the path with
/// <c>r1.kernels.mode = torch</c>. Otherwise (auto, where libr1_kernels loaded, float32 tensors) the output head, the
/// log-softmax and the entropy run as one fused kernel (<see cref="FusedLinearLogProbs"/>) that never holds [n, vocab]
/// logits, forward or backward (docs/kernels.md).
/// </summary>
public static class TokenLogProbs
{
    /// <summary>
    /// Scores <paramref name="ids"/> [batch, seq] (right-padded: positions are 0..seq-1 for every row).
    /// <paramref name="valid"/> [batch, seq] marks real tokens; <paramref name="scored"/> [batch, seq] marks the
    /// positions whose token is scored (position 0 can never be). Logits are divided by <paramref name="temperature"/>
    /// first, the same way the sampler drew the tokens, so the result is comparable with the sampler's log-probs.
    /// </summary>
    public static TokenScores Compute(PolicyModel model, Tensor ids, Tensor valid, Tensor scored,
        double temperature = 1.0, bool withEntropy = false, int chunkRows = 1024)
    {
        if (temperature <= 0) throw new ArgumentException("temperature must be positive for scoring", nameof(temperature));
        using var scope = NewDisposeScope();
        long batch = ids.shape[0], seq = ids.shape[1];
        var positions = arange(seq, device: ids.device).unsqueeze(0).expand(batch, seq);
        var hidden = model.Hidden(ids, positions, valid);

        // The hidden state at t-1 predicts the token at t.
        var target = scored.narrow(1, 1, seq - 1).to_type(ScalarType.Bool);
        var selected = hidden.narrow(1, 0, seq - 1)[target];             // [n, hidden]
        var tokens = ids.narrow(1, 1, seq - 1)[target];                  // [n]
        long n = selected.shape[0];

        Tensor lp;
        Tensor? ent = null;
        var weight = model.OutputWeight;
        if (KernelRuntime.UseNative("the fused log-probs", selected, weight, tokens))
        {
            var (fusedLp, fusedEnt) = FusedLinearLogProbs.Apply(selected, weight, tokens, temperature);
            lp = fusedLp;
            if (withEntropy) ent = fusedEnt;
        }
        else
        {
            (lp, ent) = Chunked(model.Logits, selected, tokens, temperature, withEntropy, chunkRows);
        }
        var lpFull = zeros([batch, seq - 1], ScalarType.Float32, ids.device).masked_scatter(target, lp);
        var lead = zeros([batch, 1], ScalarType.Float32, ids.device);
        var result = cat([lead, lpFull], dim: 1);
        Tensor? entropy = null;
        if (withEntropy)
        {
            entropy = cat([lead, zeros([batch, seq - 1], ScalarType.Float32, ids.device).masked_scatter(target, ent!)], dim: 1)
                .MoveToOuterDisposeScope();
        }
        return new TokenScores(result.MoveToOuterDisposeScope(), entropy);
    }

    /// <summary>
    /// The TorchSharp path (and the fused kernel's reference): <paramref name="head"/> (hidden [rows, h] to logits
    /// [rows, vocab]) over chunks of <paramref name="chunkRows"/> selected rows, then logsumexp and gather per chunk.
    /// Returns log-probs [n] and, with <paramref name="withEntropy"/>, detached entropies [n].
    /// </summary>
    public static (Tensor LogProbs, Tensor? Entropy) Chunked(Func<Tensor, Tensor> head, Tensor selected, Tensor tokens,
        double temperature, bool withEntropy, int chunkRows = 1024)
    {
        long n = selected.shape[0];
        var lpParts = new List<Tensor>();
        var entParts = new List<Tensor>();
        for (long start = 0; start < n; start += chunkRows)
        {
            long rows = Math.Min(chunkRows, n - start);
            var logits = head(selected.narrow(0, start, rows)).to_type(ScalarType.Float32) / temperature;
            var lse = logits.logsumexp(-1);
            lpParts.Add(logits.gather(-1, tokens.narrow(0, start, rows).unsqueeze(-1)).squeeze(-1) - lse);
            if (withEntropy)
            {
                using (no_grad())
                {
                    var d = logits.detach();
                    // H = logsumexp(z) - sum softmax(z) * z
                    entParts.Add(lse.detach() - (d.softmax(-1) * d).sum(-1));
                }
            }
        }
        var lp = n > 0 ? cat(lpParts.ToArray()) : zeros(0, device: selected.device);
        Tensor? ent = withEntropy ? (n > 0 ? cat(entParts.ToArray()) : zeros(0, device: selected.device)) : null;
        return (lp, ent);
    }
}
