using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>What one applied step produced.</summary>
/// <param name="Metrics">The step's metrics.</param>
/// <param name="Advantages">The advantage of every output the update was computed from, per group in the order given
/// (groups that dynamic sampling dropped included, with the values they would have had).</param>
public sealed record LearnerUpdate(StepMetrics Metrics, IReadOnlyList<IReadOnlyList<double>> Advantages);

/// <summary>
/// The learner's update: from a step's finished groups to one applied GRPO step. Owns the policy's optimizer and the
/// frozen reference policy. Both engines call it (the inline loop directly, the learner actor inside one message), so
/// they compute the same update from the same groups. All tensor work happens synchronously on the calling thread.
/// </summary>
public sealed class GrpoLearner : IDisposable
{
    private readonly PolicyModel policy;
    private readonly PolicyModel? reference;
    private readonly AdamW optimizer;
    private readonly LrSchedule schedule;
    private readonly GrpoSettings settings;
    private readonly GrpoLossOptions lossOptions;
    private readonly ReferencePolicySchedule referenceSchedule;
    private readonly double temperature;

    /// <summary>Creates the learner for <paramref name="policy"/>, sampling at <paramref name="temperature"/>.</summary>
    public GrpoLearner(PolicyModel policy, GrpoSettings settings, double temperature, int maxCompletionLength)
    {
        this.policy = policy;
        this.settings = settings.Validate();
        this.temperature = temperature > 0 ? temperature : 1.0;
        lossOptions = new GrpoLossOptions
        {
            ClipEpsLow = settings.ClipEpsLow,
            ClipEpsHigh = settings.ClipEpsHigh,
            Beta = settings.Beta,
            Aggregation = settings.LossAggregation,
            MaxCompletionLength = maxCompletionLength,
        };
        lossOptions.Validate();
        optimizer = OptimizerFactory.CreateAdamW(policy.parameters(), new AdamWSettings { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay });
        schedule = new LrSchedule(settings.LearningRate, settings.WarmupSteps, settings.LrDecay, settings.Steps);
        referenceSchedule = new ReferencePolicySchedule(settings.ReferenceRefreshEvery);
        if (settings.Beta > 0)
        {
            reference = new PolicyModel(policy.Config, policy.Device);
            CopyWeights(policy, reference);
            reference.eval();
        }
    }

    /// <summary>Updates applied so far; the policy version samplers should be at.</summary>
    public long StepsApplied { get; private set; }

    /// <summary>
    /// Continues the count of applied updates after a restart from a checkpoint taken after
    /// <paramref name="stepsApplied"/> steps, so that the reference refresh schedule counts on from there.
    /// </summary>
    public void ResumeAt(long stepsApplied)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepsApplied);
        StepsApplied = stepsApplied;
    }

    /// <summary>The optimizer (its state belongs in checkpoints).</summary>
    public AdamW Optimizer => optimizer;

    /// <summary>
    /// Applies step <paramref name="step"/> from its <paramref name="groups"/>: computes their advantages under the
    /// configured scaling (here, once: batch-level scaling needs every group of the step, and only the learner has
    /// them), trains on them, and returns the metrics with the advantages used, for the journal.
    /// </summary>
    public LearnerUpdate Step(long step, IReadOnlyList<RolloutGroup> groups, double samplingSeconds = 0)
    {
        var clock = Stopwatch.StartNew();
        var metrics = new StepMetricsBuilder();
        foreach (var g in groups)
            metrics.AddGroup(g.Rewards, g.Rollouts.Select(r => r.Correct).ToArray(), g.Rollouts.Select(r => r.CompletionIds.Count).ToArray());

        var advantages = GroupAdvantages.ComputeBatch(groups.Select(g => g.Rewards).ToArray(), settings.AdvantageScaling);
        var rows = new List<TrainingRow>();
        for (int g = 0; g < groups.Count; g++)
        {
            if (settings.DynamicSampling && !DynamicSampling.KeepGroup(groups[g].Rewards)) continue;
            for (int s = 0; s < groups[g].Rollouts.Count; s++)
                rows.Add(new TrainingRow(groups[g].PromptIds, groups[g].Rollouts[s], advantages[g][s]));
        }

        double lr = schedule.At(step);
        OptimizerFactory.SetLearningRate(optimizer, lr);
        if (rows.Count > 0)
        {
            policy.train();
            int perBatch = (rows.Count + settings.MiniBatches - 1) / settings.MiniBatches;
            for (int epoch = 0; epoch < settings.Epochs; epoch++)
                for (int start = 0; start < rows.Count; start += perBatch)
                    MiniBatch(rows.GetRange(start, Math.Min(perBatch, rows.Count - start)), metrics);
        }

        StepsApplied++;
        if (reference is not null && referenceSchedule.ShouldRefresh(StepsApplied)) CopyWeights(policy, reference);
        return new LearnerUpdate(metrics.Build(lr, samplingSeconds + clock.Elapsed.TotalSeconds), advantages);
    }

    private void MiniBatch(IReadOnlyList<TrainingRow> rows, StepMetricsBuilder metrics)
    {
        using var scope = NewDisposeScope();
        var batch = TrainingBatch.Pack(rows, policy.Config.PadTokenId, policy.Device);
        Tensor? referenceLogProbs = null;
        if (reference is not null)
        {
            using var noGrad = no_grad();
            referenceLogProbs = TokenLogProbs.Compute(reference, batch.Ids, batch.Valid, batch.Scored, temperature).LogProbs;
        }
        var scores = TokenLogProbs.Compute(policy, batch.Ids, batch.Valid, batch.Scored, temperature, withEntropy: true);
        using var loss = GrpoLoss.Compute(scores.LogProbs, batch.OldLogProbs, referenceLogProbs, batch.Advantages, batch.Scored, lossOptions);
        var total = policy.AuxLoss() is { } aux ? loss.Loss + aux : loss.Loss;
        optimizer.zero_grad();
        total.backward();
        double gradNorm = settings.GradClip > 0
            ? GradientClipping.ClipByGlobalNorm(policy.parameters(), settings.GradClip)
            : GradientClipping.ClipByGlobalNorm(policy.parameters(), 1e30);   // measures the norm, never clips
        optimizer.step();
        policy.UpdateRouterBiases();
        double entropy = MaskedOps.MaskedMean(scores.Entropy!, batch.Scored).item<float>();
        metrics.AddMiniBatch(loss, gradNorm, entropy);
    }

    /// <summary>Copies every parameter and buffer of <paramref name="from"/> into <paramref name="to"/>.</summary>
    public static void CopyWeights(PolicyModel from, PolicyModel to)
    {
        using var noGrad = no_grad();
        var source = from.state_dict();
        foreach (var (name, target) in to.state_dict()) target.copy_(source[name]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        reference?.Dispose();
    }
}
