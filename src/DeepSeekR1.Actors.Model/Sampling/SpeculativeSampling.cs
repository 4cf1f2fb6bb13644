namespace DeepSeekR1.Actors.Model.Sampling;

/// <summary>
/// The arithmetic of speculative sampling (Leviathan, Kalman and Matias 2023; Chen et al. 2023) over one row's
/// distributions, as plain arrays: the target p is the main model's, the draft q the drafter's, both after the same
/// temperature, top-k and top-p. A draft x drawn from q is kept with probability min(1, p(x) / q(x)); otherwise the
/// token is drawn from the residual normalize(max(0, p - q)). The token that comes out is distributed exactly as p,
/// whatever q is: P(x) = q(x) min(1, p(x)/q(x)) + (1 - sum_y min(q(y), p(y))) (p(x) - q(x))+ / sum_y (p(y) - q(y))+
/// = min(q(x), p(x)) + (p(x) - q(x))+ = p(x). A good drafter only makes the first branch more likely.
/// </summary>
public static class SpeculativeSampling
{
    /// <summary>
    /// The distribution <see cref="TokenSampler"/> samples from, for one row of logits: softmax(logits / T), then the
    /// k most likely tokens (top-k), then the smallest prefix of them in order of probability whose mass reaches top-p
    /// (a token is kept while the mass before it is below top-p), renormalised. Temperature 0 has no distribution
    /// (greedy decoding compares argmaxes instead).
    /// </summary>
    public static double[] Target(ReadOnlySpan<float> logits, SamplingOptions options)
    {
        if (!(options.Temperature > 0)) throw new ArgumentException("greedy decoding (temperature 0) has no distribution to sample from", nameof(options));
        int vocab = logits.Length;
        var probs = new double[vocab];
        double max = double.NegativeInfinity;
        for (int j = 0; j < vocab; j++) max = Math.Max(max, logits[j] / options.Temperature);
        double total = 0;
        for (int j = 0; j < vocab; j++) total += probs[j] = Math.Exp(logits[j] / options.Temperature - max);
        for (int j = 0; j < vocab; j++) probs[j] /= total;

        bool topK = options.TopK > 0 && options.TopK < vocab;
        if (!topK && options.TopP >= 1.0) return probs;
        // Most likely first; ties in vocabulary order.
        var order = Enumerable.Range(0, vocab).OrderByDescending(j => probs[j]).ThenBy(j => j).ToArray();
        int keep = topK ? options.TopK : vocab;
        double before = 0;
        var kept = new double[vocab];
        double keptMass = 0;
        for (int i = 0; i < keep; i++)
        {
            double p = probs[order[i]];
            if (options.TopP < 1.0 && before >= options.TopP) break;
            kept[order[i]] = p;
            keptMass += p;
            before += p;
        }
        for (int j = 0; j < vocab; j++) kept[j] /= keptMass;
        return kept;
    }

    /// <summary>
    /// Inverse-CDF draw from <paramref name="probs"/> (need not sum to exactly one) with the uniform
    /// <paramref name="uniform"/> in [0, 1): the first token whose cumulative mass exceeds uniform x total; never a
    /// token of zero mass.
    /// </summary>
    public static int Draw(ReadOnlySpan<double> probs, double uniform)
    {
        double total = 0;
        foreach (double p in probs) total += p;
        if (!(total > 0)) throw new ArgumentException("cannot draw from a distribution with no mass", nameof(probs));
        double target = uniform * total, cumulative = 0;
        int last = -1;
        for (int j = 0; j < probs.Length; j++)
        {
            if (!(probs[j] > 0)) continue;
            last = j;
            cumulative += probs[j];
            if (cumulative > target) return j;
        }
        return last;   // rounding lifted the target to the total
    }

    /// <summary>
    /// Verifies the token <paramref name="draft"/>, drawn from the drafter's distribution <paramref name="q"/>, against the target <paramref name="p"/>: kept when <paramref name="acceptUniform"/> &lt;
    /// p(draft) / q(draft), otherwise replaced by a draw with <paramref name="residualUniform"/> from
    /// normalize(max(0, p - q)). Returns whether the draft was kept and the token that comes out.
    /// </summary>
    public static (bool Accepted, int Token) Verify(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int draft, double acceptUniform, double residualUniform)
    {
        if (p.Length != q.Length) throw new ArgumentException($"target ({p.Length}) and draft ({q.Length}) distributions differ in size");
        if (!(q[draft] > 0)) throw new ArgumentException($"the draft token {draft} has no mass under the draft distribution", nameof(draft));
        // u < p/q, written without the division.
        if (acceptUniform * q[draft] < p[draft]) return (true, draft);
        var residual = new double[p.Length];
        double mass = 0;
        for (int j = 0; j < p.Length; j++) mass += residual[j] = Math.Max(0, p[j] - q[j]);
        // No residual mass means p = q up to rounding, where the draft is kept with probability one: the rejection above
        // was rounding, and p itself is the residual's limit.
        return (false, mass > 0 ? Draw(residual, residualUniform) : Draw(p, residualUniform));
    }
}
