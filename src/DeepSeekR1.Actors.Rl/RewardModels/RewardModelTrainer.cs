using System.Diagnostics;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Optim;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>
/// Trains a <see cref="RewardModel"/>: helpfulness on preference pairs with the Bradley-Terry loss, safety point-wise on
/// labelled responses with a binary cross-entropy (<see cref="RewardModelLoss"/>). AdamW over backbone and head, linear
/// warmup then cosine decay, global-norm clipping, as <see cref="Sft.SftTrainer"/>. All tensor work runs synchronously
/// on the calling thread, one dispose scope per step (no await in here).
/// </summary>
public static class RewardModelTrainer
{
    /// <summary>Steps a run over <paramref name="count"/> items takes.</summary>
    public static long TotalSteps(RewardModelSettings settings, int count) =>
        settings.Steps > 0 ? settings.Steps : (long)settings.Epochs * ((count + settings.BatchSize - 1) / settings.BatchSize);

    /// <summary>Trains a helpfulness model on <paramref name="pairs"/>.</summary>
    public static RewardTrainingResult TrainPreferences(RewardModel model, IReadOnlyList<EncodedPair> pairs, RewardModelSettings settings,
        Action<RewardProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (model.Kind != RewardModelKind.Helpfulness) throw new ArgumentException("preference pairs train a helpfulness model", nameof(model));
        return Train(model, pairs, settings, progress, cancellation, batch =>
        {
            var (chosen, rejected) = ScorePairs(model, batch);
            return (RewardModelLoss.BradleyTerry(chosen, rejected), RewardModelLoss.PairwiseAccuracy(chosen.detach(), rejected.detach()));
        });
    }

    /// <summary>Trains a point-wise safety model on <paramref name="labels"/>.</summary>
    public static RewardTrainingResult TrainSafety(RewardModel model, IReadOnlyList<EncodedLabel> labels, RewardModelSettings settings,
        Action<RewardProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (model.Kind != RewardModelKind.Safety) throw new ArgumentException("safety labels train a safety model", nameof(model));
        return Train(model, labels, settings, progress, cancellation, batch =>
        {
            var (scores, safe) = ScoreLabels(model, batch);
            return (RewardModelLoss.PointwiseBce(scores, safe), RewardModelLoss.ClassificationAccuracy(scores.detach(), safe));
        });
    }

    /// <summary>Held-out pairwise accuracy: the share of pairs the model ranks chosen above rejected (0.5 = chance).</summary>
    public static double PairwiseAccuracy(RewardModel model, IReadOnlyList<EncodedPair> pairs, int batchSize)
    {
        if (pairs.Count == 0) return double.NaN;
        long right = 0;
        Evaluate(model, pairs, batchSize, batch =>
        {
            var (chosen, rejected) = ScorePairs(model, batch);
            right += (chosen > rejected).sum().item<long>();
        });
        return (double)right / pairs.Count;
    }

    /// <summary>Held-out classification accuracy of a safety model (p(safe) &gt; 0.5 read as safe).</summary>
    public static double ClassificationAccuracy(RewardModel model, IReadOnlyList<EncodedLabel> labels, int batchSize)
    {
        if (labels.Count == 0) return double.NaN;
        long right = 0;
        Evaluate(model, labels, batchSize, batch =>
        {
            var (scores, safe) = ScoreLabels(model, batch);
            right += ((scores > 0) == safe.to_type(ScalarType.Bool)).sum().item<long>();
        });
        return (double)right / labels.Count;
    }

    /// <summary>Scores of sequences (each EOS-terminated), in batches, without gradient.</summary>
    public static float[] Score(RewardModel model, IReadOnlyList<int[]> sequences, int batchSize)
    {
        var scores = new List<float>(sequences.Count);
        Evaluate(model, sequences, batchSize, batch =>
        {
            var (ids, valid) = RewardModelInput.Pad(batch, model.Config.PadTokenId, model.Device);
            scores.AddRange(model.Score(ids, valid).cpu().data<float>().ToArray());
        });
        return scores.ToArray();
    }

    // Chosen and rejected go through the model as one batch of 2n rows: one forward pass, and padding shared.
    private static (Tensor Chosen, Tensor Rejected) ScorePairs(RewardModel model, IReadOnlyList<EncodedPair> batch)
    {
        var sequences = batch.Select(p => p.Chosen).Concat(batch.Select(p => p.Rejected)).ToArray();
        var (ids, valid) = RewardModelInput.Pad(sequences, model.Config.PadTokenId, model.Device);
        var scores = model.Score(ids, valid);
        return (scores.narrow(0, 0, batch.Count), scores.narrow(0, batch.Count, batch.Count));
    }

    private static (Tensor Scores, Tensor Safe) ScoreLabels(RewardModel model, IReadOnlyList<EncodedLabel> batch)
    {
        var (ids, valid) = RewardModelInput.Pad(batch.Select(l => l.Ids).ToArray(), model.Config.PadTokenId, model.Device);
        var safe = tensor(batch.Select(l => l.Safe ? 1f : 0f).ToArray(), device: model.Device);
        return (model.Score(ids, valid), safe);
    }

    private static void Evaluate<T>(RewardModel model, IReadOnlyList<T> items, int batchSize, Action<IReadOnlyList<T>> score)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        bool training = model.training;
        model.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < items.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            score(items.Skip(start).Take(batchSize).ToArray());
        }
        if (training) model.train();
    }

    private static RewardTrainingResult Train<T>(RewardModel model, IReadOnlyList<T> items, RewardModelSettings settings,
        Action<RewardProgress>? progress, CancellationToken cancellation, Func<IReadOnlyList<T>, (Tensor Loss, double Accuracy)> objective)
    {
        settings.Validate();
        if (items.Count == 0) throw new ArgumentException("the training set is empty", nameof(items));
        long totalSteps = TotalSteps(settings, items.Count);
        int warmup = (int)Math.Min(settings.WarmupSteps, totalSteps - 1);
        var schedule = new LrSchedule(settings.LearningRate, warmup, LrDecay.Cosine, (int)totalSteps, settings.MinLrRatio);
        // A bfloat16 backbone trains through float32 masters (the optimizer steps those), as the policy's trainers do.
        using var masters = MasterWeights.For(model.parameters());
        using var optimizer = OptimizerFactory.CreateAdamW(masters.Trainable,
            new AdamWSettings { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay });
        int batchesPerEpoch = (items.Count + settings.BatchSize - 1) / settings.BatchSize;
        int[] order = [];
        int orderEpoch = -1;

        model.train();
        var log = new List<RewardProgress>();
        var clock = Stopwatch.StartNew();
        double firstLoss = double.NaN, windowLoss = 0, windowAccuracy = 0;
        int windowSteps = 0;
        long step = 0;
        while (step < totalSteps && !cancellation.IsCancellationRequested)
        {
            // Each epoch is a fresh permutation drawn from (seed, epoch), as in SFT: the run is a function of the seed.
            int epoch = (int)(step / batchesPerEpoch);
            if (epoch != orderEpoch)
            {
                order = Enumerable.Range(0, items.Count).ToArray();
                new SeededRandom(Seeds.Derive((ulong)settings.Seed, "rm-order", epoch)).Shuffle(order);
                orderEpoch = epoch;
            }
            int start = (int)(step % batchesPerEpoch) * settings.BatchSize;
            var batch = order.Skip(start).Take(settings.BatchSize).Select(i => items[i]).ToArray();
            double lr = schedule.At(step);
            double loss, accuracy;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var (lossTensor, batchAccuracy) = objective(batch);
                lossTensor.backward();
                masters.GradientsToMasters();   // bfloat16: clipping and AdamW see float32 gradients
                double gradNorm = GradientClipping.ClipByGlobalNorm(masters.Active ? masters.Trainable : model.parameters(), settings.GradClip);
                // A NaN or infinite gradient would poison the weights and Adam's moments for good: drop the step instead.
                if (double.IsFinite(gradNorm))
                {
                    OptimizerFactory.SetLearningRate(optimizer, lr);
                    optimizer.step();
                    masters.MastersToParameters();
                }
                loss = lossTensor.item<float>();
                accuracy = batchAccuracy;
            }
            step++;
            if (step == 1) firstLoss = loss;
            windowLoss += loss;
            windowAccuracy += accuracy;
            windowSteps++;
            if (step % settings.LogEvery == 0 || step == totalSteps)
            {
                var report = new RewardProgress(step, totalSteps, windowLoss / windowSteps, windowAccuracy / windowSteps, lr);
                log.Add(report);
                progress?.Invoke(report);
                windowLoss = windowAccuracy = 0;
                windowSteps = 0;
            }
        }
        model.eval();
        double finalLoss = windowSteps > 0 ? windowLoss / windowSteps : log.Count > 0 ? log[^1].Loss : double.NaN;
        return new RewardTrainingResult(step, firstLoss, finalLoss, clock.Elapsed.TotalSeconds, log);
    }
}
