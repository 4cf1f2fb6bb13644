namespace DeepSeekR1.Actors.Rl.Grpo;

/// <summary>
/// Accumulates <see cref="StepMetrics"/> over the groups and mini-batches of one step.
/// Token-level diagnostics (KL, clip fractions, ratio, entropy) are weighted by each mini-batch's completion
/// tokens, so they equal the per-token mean over the whole step however the batch was split.
/// Loss and gradient norm are per-update quantities and are averaged over mini-batches.
/// </summary>
/// <remarks>Not thread-safe: one builder belongs to one learner step.</remarks>
public sealed class StepMetricsBuilder
{
    private readonly List<double> rewards = [];
    private int groups;
    private int zeroStdGroups;
    private int correct;
    private int gradedOutputs;
    private long lengthSum;
    private int lengthMax;

    private int miniBatches;
    private long tokens;
    private long klTokens;
    private long entropyTokens;
    private double klWeighted;
    private double clipLowWeighted;
    private double clipHighWeighted;
    private double ratioWeighted;
    private double entropyWeighted;
    private double lossSum;
    private double gradNormSum;
    private double expertLoadSum;
    private int expertLoadLayers;

    /// <summary>
    /// Adds one sampled group. Add every group that was sampled, also those dynamic sampling drops, so that the
    /// reward curves describe the policy rather than the filtered batch.
    /// </summary>
    /// <param name="groupRewards">Total reward of each completion.</param>
    /// <param name="answerCorrect">Whether each completion's final answer was judged correct.</param>
    /// <param name="completionLengths">Length of each completion in tokens.</param>
    /// <param name="graded">
    /// Whether the group's answers have a right or wrong at all: false for a general prompt, scored by reward models,
    /// which then stays out of the accuracy (counting its completions as wrong would dilute it by the mix ratio).
    /// </param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The three lists differ in length or are empty.</exception>
    public StepMetricsBuilder AddGroup(IReadOnlyList<double> groupRewards, IReadOnlyList<bool> answerCorrect, IReadOnlyList<int> completionLengths,
        bool graded = true)
    {
        ArgumentNullException.ThrowIfNull(groupRewards);
        ArgumentNullException.ThrowIfNull(answerCorrect);
        ArgumentNullException.ThrowIfNull(completionLengths);
        if (groupRewards.Count == 0 || answerCorrect.Count != groupRewards.Count || completionLengths.Count != groupRewards.Count)
        {
            throw new ArgumentException("A group needs one reward, one correctness flag and one length per completion, and at least one completion.");
        }

        groups++;
        if (!DynamicSampling.KeepGroup(groupRewards))
        {
            zeroStdGroups++;
        }

        rewards.AddRange(groupRewards);
        if (graded)
        {
            correct += answerCorrect.Count(c => c);
            gradedOutputs += answerCorrect.Count;
        }
        foreach (var length in completionLengths)
        {
            lengthSum += length;
            lengthMax = Math.Max(lengthMax, length);
        }

        return this;
    }

    /// <summary>Adds one mini-batch's routing: tokens per routed expert, one array per MoE layer.</summary>
    /// <param name="tokensPerExpert">Per MoE layer, the tokens each routed expert received in the mini-batch's forward pass.</param>
    /// <returns>This builder.</returns>
    public StepMetricsBuilder AddExpertLoad(IEnumerable<long[]> tokensPerExpert)
    {
        ArgumentNullException.ThrowIfNull(tokensPerExpert);
        foreach (var load in tokensPerExpert)
        {
            if (load.Length == 0 || load.Sum() == 0) continue;
            expertLoadSum += load.Max() / load.Average();
            expertLoadLayers++;
        }
        return this;
    }

    /// <summary>Adds one mini-batch update.</summary>
    /// <param name="loss">The loss result of the mini-batch.</param>
    /// <param name="gradNorm">Global gradient norm before clipping.</param>
    /// <param name="entropy">Mean entropy per completion token of the mini-batch, when measured.</param>
    /// <returns>This builder.</returns>
    public StepMetricsBuilder AddMiniBatch(GrpoLossResult loss, double gradNorm, double? entropy = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var n = loss.CompletionTokens;
        miniBatches++;
        tokens += n;
        clipLowWeighted += loss.ClipFractionLow * n;
        clipHighWeighted += loss.ClipFractionHigh * n;
        ratioWeighted += loss.RatioMean * n;
        if (loss.KlMean is { } kl)
        {
            klWeighted += kl * n;
            klTokens += n;
        }

        if (entropy is { } h)
        {
            entropyWeighted += h * n;
            entropyTokens += n;
        }

        lossSum += loss.LossValue;
        gradNormSum += gradNorm;
        return this;
    }

    /// <summary>Builds the metrics of the step.</summary>
    /// <param name="learningRate">Learning rate the step used.</param>
    /// <param name="stepSeconds">Wall-clock seconds of the step.</param>
    /// <returns>The metrics. Update-side values are 0 (KL and entropy <c>null</c>) when no mini-batch was added.</returns>
    /// <exception cref="InvalidOperationException">No group was added.</exception>
    public StepMetrics Build(double learningRate, double stepSeconds)
    {
        if (groups == 0)
        {
            throw new InvalidOperationException("A step needs at least one group before its metrics can be built.");
        }

        return new StepMetrics(
            Groups: groups,
            Outputs: rewards.Count,
            MiniBatches: miniBatches,
            RewardMean: rewards.Average(),
            RewardStd: GroupAdvantages.PopulationStd(rewards),
            // Over graded completions only; a step of general prompts alone has none and reports 0.
            Accuracy: gradedOutputs > 0 ? (double)correct / gradedOutputs : 0,
            FracZeroStdGroups: (double)zeroStdGroups / groups,
            KlMean: klTokens > 0 ? klWeighted / klTokens : null,
            ClipFractionLow: PerToken(clipLowWeighted),
            ClipFractionHigh: PerToken(clipHighWeighted),
            RatioMean: PerToken(ratioWeighted),
            Entropy: entropyTokens > 0 ? entropyWeighted / entropyTokens : null,
            CompletionLengthMean: (double)lengthSum / rewards.Count,
            CompletionLengthMax: lengthMax,
            GradNorm: miniBatches > 0 ? gradNormSum / miniBatches : 0.0,
            LearningRate: learningRate,
            Loss: miniBatches > 0 ? lossSum / miniBatches : 0.0,
            StepSeconds: stepSeconds,
            ExpertLoadMaxOverMean: expertLoadLayers > 0 ? expertLoadSum / expertLoadLayers : null);
    }

    private double PerToken(double weighted) => tokens > 0 ? weighted / tokens : 0.0;
}
