namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>
/// The unbiased pass@k estimator (Chen et al., 2021, "Evaluating Large Language Models Trained on Code"): with n samples
/// of a question of which c are correct, the chance that k samples drawn without replacement contain a correct one is
/// 1 - C(n-c, k) / C(n, k). DeepSeek-R1 reports pass@1 this way, which reduces to the mean of c / n.
/// </summary>
public static class PassAtK
{
    /// <summary>
    /// Estimates pass@<paramref name="k"/> from <paramref name="n"/> samples with <paramref name="c"/> correct.
    /// Uses the product form 1 - prod_{i=n-c+1..n} (1 - k / i), which never forms a binomial coefficient, so it stays
    /// exact in double precision for any n (C(100, 50) alone would already be about 1e29).
    /// </summary>
    /// <param name="n">Samples drawn for the question (at least 1).</param>
    /// <param name="c">How many of them are correct (0..n).</param>
    /// <param name="k">The k of pass@k (1..n).</param>
    /// <returns>The estimate, in [0, 1].</returns>
    public static double Estimate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);

        // Fewer wrong samples than k: every k-subset holds a correct one.
        if (n - c < k) return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++)
            allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }
}
