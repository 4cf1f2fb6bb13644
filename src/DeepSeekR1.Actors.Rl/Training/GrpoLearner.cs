using System.Diagnostics;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
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
/// <param name="ExpertLoad">For a MoE policy, each MoE layer's tokens per routed expert summed over the step's
/// mini-batches and its balancing bias after the step; empty for a dense policy.</param>
public sealed record LearnerUpdate(StepMetrics Metrics, IReadOnlyList<IReadOnlyList<double>> Advantages, IReadOnlyList<ExpertLayerLoad> ExpertLoad);

/// <summary>How one MoE layer's routed experts were loaded over a step.</summary>
/// <param name="Layer">The layer's index.</param>
/// <param name="Tokens">Tokens routed to each expert (token-slots: each token counts once per expert it chose).</param>
/// <param name="Bias">Each expert's auxiliary-loss-free selection bias after the step.</param>
public sealed record ExpertLayerLoad(int Layer, IReadOnlyList<long> Tokens, IReadOnlyList<double> Bias);

/// <summary>
/// The learner's update: from a step's finished groups to one applied GRPO step. Owns the policy's optimizer and the
/// frozen reference policy. Both engines call it (the inline loop directly, the learner actor inside one message), so
/// they compute the same update from the same groups. All tensor work happens synchronously on the calling thread.
/// With <see cref="ExpertSettings.Shards"/> set and a MoE policy, the routed experts move to expert shards: the MoE
/// layers send them their tokens, <c>loss.backward()</c> reaches them through the layers' autograd nodes, gradient
/// clipping takes the global norm over the learner's parameters and every shard's, and each optimizer update is
/// applied on every shard once.
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
    private readonly ExpertShardSet? shards;
    private readonly SortedDictionary<int, long[]> stepLoad = [];   // tokens per expert per MoE layer, this step

    /// <summary>
    /// Creates the learner for <paramref name="policy"/>, sampling at <paramref name="temperature"/>. With
    /// <paramref name="experts"/> sharding a MoE policy, the policy's routed experts move onto the shards (the policy no
    /// longer holds them; <see cref="Weights"/> gives the whole model back).
    /// </summary>
    public GrpoLearner(PolicyModel policy, GrpoSettings settings, double temperature, int maxCompletionLength, ExpertSettings? experts = null)
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
        var adamW = new AdamWSettings { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay };
        schedule = new LrSchedule(settings.LearningRate, settings.WarmupSteps, settings.LrDecay, settings.Steps);
        referenceSchedule = new ReferencePolicySchedule(settings.ReferenceRefreshEvery);
        if (settings.Beta > 0)
        {
            // The frozen reference stays a whole local replica, copied before the experts leave the policy.
            reference = new PolicyModel(policy.Config, policy.Device);
            CopyWeights(policy, reference);
            reference.eval();
        }
        if (experts?.Validate().ShardsExpertsOf(policy.Config) == true)
        {
            shards = ExpertShardSet.Distribute(policy, experts.Shards);
            shards.AttachOptimizers(ps => OptimizerFactory.CreateAdamW(ps, adamW));
        }
        optimizer = OptimizerFactory.CreateAdamW(policy.parameters(), adamW);
    }

    /// <summary>The policy's shape.</summary>
    public ModelConfig Config => policy.Config;

    /// <summary>The expert shards holding the policy's routed experts, or null when they are in the layers.</summary>
    public ExpertShardSet? Shards => shards;

    /// <summary>Every tensor of the model by Hugging Face name: the policy's own and the shards' experts (live tensors).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Weights() =>
        shards is null ? policy.state_dict() : policy.state_dict().Concat(shards.Weights());

    /// <summary>
    /// With expert shards: which part of a checkpoint a tensor belongs to, 0 for the learner's own and 1 + s for expert
    /// shard s's experts, so each shard's experts are a safetensors file of their own
    /// (<c>model-0000{2+s}-of-...</c>, listed in the index and the manifest). Null without shards (one file).
    /// </summary>
    public Func<string, int>? CheckpointPartOf => shards is null ? null : name =>
        ExpertShardSet.IsRoutedExpert(name) ? 1 + shards.Placement.ShardOf(ExpertIndex(name)) : 0;

    // "model.layers.1.mlp.experts.5.up_proj.weight" -> 5
    private static int ExpertIndex(string name)
    {
        const string marker = ".mlp.experts.";
        int start = name.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return int.Parse(name.AsSpan(start, name.IndexOf('.', start) - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Copies a whole model's tensors (a checkpoint's) into the policy and the shards, checking names and shapes.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        if (shards is null) { PolicyCheckpoint.CopyInto(policy, tensors, source); return; }
        PolicyCheckpoint.CopyInto(policy, tensors.Where(kv => !ExpertShardSet.IsRoutedExpert(kv.Key)).ToDictionary(), source);
        shards.LoadFrom(tensors, source);
    }

    /// <summary>
    /// Saves the optimizer state: the learner's to <paramref name="path"/>, each shard's beside it
    /// (<c>optimizer.expert-shard-0.bin</c>). Returns every file written, the learner's first.
    /// </summary>
    public IReadOnlyList<string> SaveOptimizerState(string path)
    {
        optimizer.save_state_dict(path);
        var files = new List<string> { path };
        if (shards is null) return files;
        foreach (var shard in shards.Shards)
        {
            string part = ShardOptimizerPath(path, shard.Index);
            shard.Optimizer.save_state_dict(part);
            files.Add(part);
        }
        return files;
    }

    /// <summary>Loads what <see cref="SaveOptimizerState"/> saved at <paramref name="path"/>; a missing shard part is an error naming it.</summary>
    public void LoadOptimizerState(string path)
    {
        optimizer.load_state_dict(path);
        if (shards is null) return;
        foreach (var shard in shards.Shards)
        {
            string part = ShardOptimizerPath(path, shard.Index);
            if (!File.Exists(part))
                throw new FileNotFoundException($"{part}: the optimizer state of expert shard {shard.Index} is missing (was the checkpoint written with r1.experts.shards = {shards.Placement.Shards}?)", part);
            shard.Optimizer.load_state_dict(part);
        }
    }

    private static string ShardOptimizerPath(string path, int shard) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $"{Path.GetFileNameWithoutExtension(path)}.expert-shard-{shard}{Path.GetExtension(path)}");

    // Optimizer updates a step can make: one per mini-batch per epoch. Shard update numbers are
    // step * UpdatesPerStep + index + 1, so they only grow, also across a restart.
    private long UpdatesPerStep => (long)settings.Epochs * settings.MiniBatches;

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
        shards?.ResumeAt(stepsApplied * UpdatesPerStep);
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
        stepLoad.Clear();
        if (rows.Count > 0)
        {
            policy.train();
            int perBatch = (rows.Count + settings.MiniBatches - 1) / settings.MiniBatches;
            long update = step * UpdatesPerStep;
            for (int epoch = 0; epoch < settings.Epochs; epoch++)
                for (int start = 0; start < rows.Count; start += perBatch)
                    MiniBatch(rows.GetRange(start, Math.Min(perBatch, rows.Count - start)), metrics, ++update, lr);
        }

        StepsApplied++;
        if (reference is not null && referenceSchedule.ShouldRefresh(StepsApplied)) CopyWeights(Weights(), reference);
        return new LearnerUpdate(metrics.Build(lr, samplingSeconds + clock.Elapsed.TotalSeconds), advantages, ExpertLoad());
    }

    private void MiniBatch(IReadOnlyList<TrainingRow> rows, StepMetricsBuilder metrics, long update, double lr)
    {
        using var scope = NewDisposeScope();
        shards?.BeginPass();
        var batch = TrainingBatch.Pack(rows, policy.Config.PadTokenId, policy.Device);
        Tensor? referenceLogProbs = null;
        if (reference is not null)
        {
            using var noGrad = no_grad();
            referenceLogProbs = TokenLogProbs.Compute(reference, batch.Ids, batch.Valid, batch.Scored, temperature).LogProbs;
        }
        var scores = TokenLogProbs.Compute(policy, batch.Ids, batch.Valid, batch.Scored, temperature, withEntropy: true);
        if (policy.Config.MoeLayers.Count > 0)
        {
            var routing = policy.RoutingStatistics();
            metrics.AddExpertLoad(routing.Values);
            foreach (var (layer, tokens) in routing)
            {
                var sum = stepLoad.TryGetValue(layer, out var s) ? s : stepLoad[layer] = new long[tokens.Length];
                for (int e = 0; e < tokens.Length; e++) sum[e] += tokens[e];
            }
        }
        using var loss = GrpoLoss.Compute(scores.LogProbs, batch.OldLogProbs, referenceLogProbs, batch.Advantages, batch.Scored, lossOptions);
        var total = policy.AuxLoss() is { } aux ? loss.Loss + aux : loss.Loss;
        optimizer.zero_grad();
        shards?.ZeroGrad();
        total.backward();
        shards?.Executor.ThrowIfBackwardFailed();
        double gradNorm;
        if (shards is null)
            gradNorm = settings.GradClip > 0
                ? GradientClipping.ClipByGlobalNorm(policy.parameters(), settings.GradClip)
                : GradientClipping.ClipByGlobalNorm(policy.parameters(), 1e30);   // measures the norm, never clips
        else
        {
            // The global norm covers the learner's gradients and every shard's; each side scales its own.
            gradNorm = Math.Sqrt(Gradients.SquaredNorm(policy.parameters()) + shards.SquaredGradNorm());
            double scale = GradientClipping.Coefficient(gradNorm, settings.GradClip > 0 ? settings.GradClip : 1e30);
            Gradients.Scale(policy.parameters(), scale);
            shards.ApplyUpdate(update, lr, scale);
        }
        optimizer.step();
        policy.UpdateRouterBiases();
        double entropy = MaskedOps.MaskedMean(scores.Entropy!, batch.Scored).item<float>();
        metrics.AddMiniBatch(loss, gradNorm, entropy);
    }

    private ExpertLayerLoad[] ExpertLoad()
    {
        var layers = policy.Decoder.Layers;
        return stepLoad.Select(kv =>
        {
            using var scope = NewDisposeScope();
            var bias = layers[kv.Key].Moe!.Router.Bias.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            return new ExpertLayerLoad(kv.Key, kv.Value.ToArray(), bias);
        }).ToArray();
    }

    /// <summary>Copies every parameter and buffer of <paramref name="from"/> into <paramref name="to"/>.</summary>
    public static void CopyWeights(PolicyModel from, PolicyModel to) => CopyWeights(from.state_dict(), to);

    private static void CopyWeights(IEnumerable<KeyValuePair<string, Tensor>> from, PolicyModel to)
    {
        using var noGrad = no_grad();
        var source = from.ToDictionary();
        foreach (var (name, target) in to.state_dict()) target.copy_(source[name]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        shards?.Dispose();
        reference?.Dispose();
    }
}
