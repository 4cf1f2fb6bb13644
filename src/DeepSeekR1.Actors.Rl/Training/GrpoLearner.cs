using System.Diagnostics;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Training;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>What one applied step produced.</summary>
/// <param name="Metrics">The step's metrics.</param>
/// <param name="Advantages">The advantage of every output the update was computed from, per group in the order given
/// (groups that dynamic sampling dropped included, with the values they would have had).</param>
/// <param name="ExpertLoad">For a MoE policy, each MoE layer's tokens per routed expert summed over the step's
/// mini-batches and its balancing bias after the step; empty for a dense policy.</param>
/// <param name="Staleness">How many policy versions the trained samples lagged the step, and how many were too old.</param>
public sealed record LearnerUpdate(StepMetrics Metrics, IReadOnlyList<IReadOnlyList<double>> Advantages, IReadOnlyList<ExpertLayerLoad> ExpertLoad,
    StalenessStats Staleness);

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
    private readonly MasterWeights masters;
    private readonly LrSchedule schedule;
    private readonly GrpoSettings settings;
    private readonly GrpoLossOptions lossOptions;
    private readonly ReferencePolicySchedule referenceSchedule;
    private readonly double temperature;
    private readonly IExpertShards? shards;
    private readonly int shardRetries;
    private readonly int maxStaleness;
    private readonly SortedDictionary<int, long[]> stepLoad = [];   // tokens per expert per MoE layer, this step

    /// <summary>
    /// Creates the learner for <paramref name="policy"/>, sampling at <paramref name="temperature"/>. With
    /// <paramref name="experts"/> sharding a MoE policy, the policy's routed experts move onto the shards (the policy no
    /// longer holds them; <see cref="Weights"/> gives the whole model back). The shards are in this process unless
    /// <paramref name="connect"/> reaches them elsewhere (the engine's remote shards). A sample more than
    /// <paramref name="maxStaleness"/> policy versions older than the step training it is left out of the update
    /// (<c>r1.async.max-staleness</c>; the synchronous engines' samples always lag 0).
    /// </summary>
    public GrpoLearner(PolicyModel policy, GrpoSettings settings, double temperature, int maxCompletionLength, ExpertSettings? experts = null,
        ExpertShardConnector? connect = null, int maxStaleness = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxStaleness);
        this.policy = policy;
        this.maxStaleness = maxStaleness;
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
        var adamW = AdamWOf(settings);
        schedule = new LrSchedule(settings.LearningRate, settings.WarmupSteps, settings.LrDecay, settings.Steps);
        referenceSchedule = new ReferencePolicySchedule(settings.ReferenceRefreshEvery);
        if (settings.Beta > 0)
        {
            // The frozen reference stays a whole local replica, copied before the experts leave the policy.
            reference = new PolicyModel(policy.Config, policy.Device);   // in the policy's dtype (Config.Dtype)
            CopyWeights(policy, reference);
            reference.eval();
        }
        if (experts?.Validate().ShardsExpertsOf(policy.Config) == true)
        {
            var placement = ExpertPlacement.For(policy.Config, experts.Shards);
            shards = (connect ?? InProcess)(policy, placement, ps => OptimizerFactory.CreateAdamW(ps, adamW));
            shardRetries = experts.Retries;
        }
        // A bfloat16 policy trains through float32 masters (the optimizer steps those); a float32 one steps itself.
        masters = MasterWeights.For(policy.named_parameters());
        optimizer = OptimizerFactory.CreateAdamW(masters.Trainable, adamW);
    }

    /// <summary>The AdamW settings a learner (and each of its expert shards, wherever it runs) trains with under <paramref name="settings"/>.</summary>
    public static AdamWSettings AdamWOf(GrpoSettings settings) => new() { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay };

    // The default connector: shards in this process, run inline on the tensor thread.
    private static IExpertShards InProcess(PolicyModel policy, ExpertPlacement placement, Func<IEnumerable<Parameter>, OptimizerHelper> optimizer)
    {
        var set = ExpertShardSet.Distribute(policy, placement.Shards);
        set.AttachOptimizers(optimizer);
        return set;
    }

    /// <summary>The policy's shape.</summary>
    public ModelConfig Config => policy.Config;

    /// <summary>The expert shards holding the policy's routed experts, or null when they are in the layers.</summary>
    public IExpertShards? Shards => shards;

    /// <summary>Every tensor of the model by Hugging Face name: the policy's own and the shards' experts (live tensors).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Weights() =>
        shards is null ? policy.state_dict() : policy.state_dict().Concat(shards.Weights());

    /// <summary>
    /// With expert shards: which part of a checkpoint a tensor belongs to, 0 for the learner's own and 1 + s for expert
    /// shard s's experts, so each shard's experts are a safetensors file of their own
    /// (<c>model-0000{2+s}-of-...</c>, listed in the index and the manifest). Null without shards (one file).
    /// </summary>
    public Func<string, int>? CheckpointPartOf => shards is null ? null : name => shards.Placement.ShardOfTensor(name) is int s ? 1 + s : 0;

    /// <summary>Copies a whole model's tensors (a checkpoint's) into the policy and the shards, checking names and shapes.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        if (shards is null) PolicyCheckpoint.CopyInto(policy, tensors, source);
        else
        {
            PolicyCheckpoint.CopyInto(policy, tensors.Where(kv => shards.Placement.ShardOfTensor(kv.Key) is null).ToDictionary(), source);
            shards.LoadFrom(tensors, source);
        }
        masters.ParametersToMasters();
    }

    /// <summary>
    /// Saves the optimizer state: the learner's to <paramref name="path"/>, a bfloat16 policy's float32 master weights
    /// beside it (<c>optimizer.masters.safetensors</c>), each shard's beside it (<c>optimizer.expert-shard-0.bin</c>).
    /// Returns every file written, the learner's first.
    /// </summary>
    public IReadOnlyList<string> SaveOptimizerState(string path)
    {
        optimizer.save_state_dict(path);
        var files = new List<string> { path };
        if (masters.SaveBeside(path) is { } masterFile) files.Add(masterFile);
        if (shards is not null) files.AddRange(shards.SaveOptimizerStates(s => ShardOptimizerPath(path, s)));
        return files;
    }

    /// <summary>
    /// Loads what <see cref="SaveOptimizerState"/> saved at <paramref name="path"/>, a bfloat16 policy's masters
    /// included (they replace the weights' rounded values); a missing shard part or masters file is an error naming it.
    /// </summary>
    public void LoadOptimizerState(string path)
    {
        optimizer.load_state_dict(path);
        masters.LoadBeside(path);
        shards?.LoadOptimizerStates(s => ShardOptimizerPath(path, s));
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
            metrics.AddGroup(g.Rewards, g.Rollouts.Select(r => r.Correct).ToArray(), g.Rollouts.Select(r => r.CompletionIds.Count).ToArray(),
                graded: g.Item.Kind != AnswerKind.General);

        var advantages = GroupAdvantages.ComputeBatch(groups.Select(g => g.Rewards).ToArray(), settings.AdvantageScaling);
        var rows = new List<TrainingRow>();
        var lags = new List<long>();
        int stale = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            if (settings.DynamicSampling && !DynamicSampling.KeepGroup(groups[g].Rewards)) continue;
            for (int s = 0; s < groups[g].Rollouts.Count; s++)
            {
                // Never train on a sample older than the bound: its pi_old is too far from the policy for the clipped
                // ratio to correct (a run resumed with a tighter bound can meet such samples in its journal).
                long lag = StalenessStats.Lag(step, groups[g].Rollouts[s].PolicyVersion);
                if (lag > maxStaleness) { stale++; continue; }
                lags.Add(lag);
                rows.Add(new TrainingRow(groups[g].PromptIds, groups[g].Rollouts[s], advantages[g][s]));
            }
        }
        var staleness = new StalenessStats(lags.Count == 0 ? 0 : lags.Average(), lags.Count == 0 ? 0 : lags.Max(), stale);

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
        return new LearnerUpdate(metrics.Build(lr, samplingSeconds + clock.Elapsed.TotalSeconds), advantages, ExpertLoad(), staleness);
    }

    private void MiniBatch(IReadOnlyList<TrainingRow> rows, StepMetricsBuilder metrics, long update, double lr)
    {
        using var scope = NewDisposeScope();
        var batch = TrainingBatch.Pack(rows, policy.Config.PadTokenId, policy.Device);
        Tensor? referenceLogProbs = null;
        if (reference is not null)
        {
            using var noGrad = no_grad();
            referenceLogProbs = TokenLogProbs.Compute(reference, batch.Ids, batch.Valid, batch.Scored, temperature).LogProbs;
        }
        var pass = PassWithRetries(batch, referenceLogProbs, update);
        double gradNorm;
        masters.GradientsToMasters();   // bfloat16: clipping and AdamW see float32 gradients
        var trainable = masters.Active ? masters.Trainable : policy.parameters();
        if (shards is null)
            gradNorm = settings.GradClip > 0
                ? GradientClipping.ClipByGlobalNorm(trainable, settings.GradClip)
                : GradientClipping.ClipByGlobalNorm(trainable, 1e30);   // measures the norm, never clips
        else
        {
            // The global norm covers the learner's gradients and every shard's; each side scales its own (the learner's
            // on its masters in bfloat16, where GradientsToMasters just moved them).
            gradNorm = Math.Sqrt(Gradients.SquaredNorm(trainable) + pass.ShardSquaredNorm);
            double scale = GradientClipping.Coefficient(gradNorm, settings.GradClip > 0 ? settings.GradClip : 1e30);
            Gradients.Scale(trainable, scale);
            shards.ApplyUpdate(update, lr, scale);
        }
        optimizer.step();
        masters.MastersToParameters();
        policy.UpdateRouterBiases();
        if (pass.Routing is { } routing)
        {
            metrics.AddExpertLoad(routing.Values);
            foreach (var (layer, tokens) in routing)
            {
                var sum = stepLoad.TryGetValue(layer, out var s) ? s : stepLoad[layer] = new long[tokens.Length];
                for (int e = 0; e < tokens.Length; e++) sum[e] += tokens[e];
            }
        }
        metrics.AddMiniBatch(pass.Loss, gradNorm, pass.Entropy);
        pass.Loss.Dispose();
    }

    // What one forward and backward leaves: the loss terms, the mean entropy, the routing counts (MoE), and the shards'
    // share of the squared gradient norm.
    private sealed record Pass(GrpoLossResult Loss, double Entropy, IReadOnlyDictionary<int, long[]>? Routing, double ShardSquaredNorm);

    /// <summary>Passes redone after a lost expert shard, since this learner was made (a figure for logs and tests).</summary>
    public int PassesRedone { get; private set; }

    // A pass changes nothing a redo would not set again: gradients are cleared at its start and nothing is applied
    // before it ends, so after a lost shard (its replacement restored, or a reply lost) the pass simply runs again.
    private Pass PassWithRetries(TrainingBatch batch, Tensor? referenceLogProbs, long update)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return ForwardBackward(batch, referenceLogProbs, update);
            }
            catch (ExpertShardUnavailableException) when (attempt < shardRetries)
            {
                policy.ForgetRouterLoad();   // the failed pass's routing must not move the balancing biases
                PassesRedone++;
            }
        }
    }

    private Pass ForwardBackward(TrainingBatch batch, Tensor? referenceLogProbs, long update)
    {
        shards?.BeginPass();
        var scores = TokenLogProbs.Compute(policy, batch.Ids, batch.Valid, batch.Scored, temperature, withEntropy: true);
        var routing = policy.Config.MoeLayers.Count > 0
            ? policy.RoutingStatistics().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray())
            : null;
        var loss = GrpoLoss.Compute(scores.LogProbs, batch.OldLogProbs, referenceLogProbs, batch.Advantages, batch.Scored, lossOptions);
        var total = policy.AuxLoss() is { } aux ? loss.Loss + aux : loss.Loss;
        optimizer.zero_grad();
        total.backward();
        shards?.Executor.ThrowIfBackwardFailed();
        double shardNorm = shards?.PrepareUpdate(update) ?? 0;
        double entropy = MaskedOps.MaskedMean(scores.Entropy!, batch.Scored).item<float>();
        return new Pass(loss, entropy, routing, shardNorm);
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
        masters.Dispose();
        shards?.Dispose();
        reference?.Dispose();
    }
}
