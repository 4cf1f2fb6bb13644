using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Optim;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Rl.Sft;

/// <summary>
/// Supervised fine-tuning: AdamW on the mean completion-token NLL (<see cref="SftLoss"/>), with linear warmup then
/// cosine decay and global-norm gradient clipping. All tensor work runs synchronously on the calling thread, one
/// dispose scope per step, because TorchSharp's scopes and grad mode are per thread (no await anywhere in here).
/// </summary>
public static class SftTrainer
{
    /// <summary>Steps a run over <paramref name="exampleCount"/> examples takes: <c>steps</c>, or <c>epochs</c> full passes.</summary>
    public static long TotalSteps(SftSettings settings, int exampleCount) =>
        settings.Steps > 0 ? settings.Steps : (long)settings.Epochs * ((exampleCount + settings.BatchSize - 1) / settings.BatchSize);

    /// <summary>Trains <paramref name="model"/> on a fixed data set in the seeded shuffled order.</summary>
    /// <param name="model">The policy to train.</param>
    /// <param name="examples">The data set.</param>
    /// <param name="settings">Optimisation settings.</param>
    /// <param name="progress">Progress reports.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <param name="resume">Where a killed run left off, and how to leave resume points for the next one (null: neither).</param>
    /// <param name="stepDone">Called after every optimizer step with the steps done (for a progress bar; no figures).</param>
    public static SftResult Train(PolicyModel model, IReadOnlyList<SftExample> examples, SftSettings settings,
        Action<SftProgress>? progress = null, CancellationToken cancellation = default, SftResume? resume = null, Action<long>? stepDone = null)
    {
        settings.Validate();
        var source = new ShuffledBatches(examples, settings.BatchSize, unchecked((ulong)settings.Seed));
        return Train(model, source, TotalSteps(settings, examples.Count), settings, progress, cancellation, resume: resume, stepDone: stepDone);
    }

    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="totalSteps"/> steps on the batches of <paramref name="source"/>.
    /// Cancelling stops after the current step and returns what was done.
    /// </summary>
    /// <param name="model">The policy to train (left in eval mode afterwards).</param>
    /// <param name="source">The batches.</param>
    /// <param name="totalSteps">Optimizer steps to take.</param>
    /// <param name="settings">Optimisation settings.</param>
    /// <param name="progress">Called every <see cref="SftSettings.LogEvery"/> steps and after the last one.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <param name="loss">
    /// The objective of one batch (scalar loss with gradient, and the real tokens it covered); null uses
    /// <see cref="SftLoss"/> on a right-padded <see cref="SftBatch"/>. It runs inside the step's dispose scope.
    /// </param>
    /// <param name="resume">Where a killed run left off, and how to leave resume points for the next one (null: neither).</param>
    /// <param name="stepDone">Called after every optimizer step with the steps done (for a progress bar; no figures).</param>
    public static SftResult Train(PolicyModel model, ISftBatchSource source, long totalSteps, SftSettings settings,
        Action<SftProgress>? progress = null, CancellationToken cancellation = default, SftBatchLoss? loss = null, SftResume? resume = null,
        Action<long>? stepDone = null)
    {
        loss ??= PaddedBatchLoss;
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        int warmup = (int)Math.Min(settings.WarmupSteps, totalSteps - 1);
        var schedule = new LrSchedule(settings.LearningRate, warmup, LrDecay.Cosine, (int)totalSteps, settings.MinLrRatio);
        // A bfloat16 model trains through float32 masters (the optimizer steps those); a float32 one steps itself.
        using var masters = MasterWeights.For(model.named_parameters());
        using var optimizer = OptimizerFactory.CreateAdamW(masters.Trainable,
            new AdamWSettings { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay });

        model.train();
        var log = new List<SftProgress>();
        var clock = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        double firstLoss = double.NaN, windowLoss = 0;
        long tokens = 0, windowTokens = 0, skipped = 0, step = 0;
        int windowSteps = 0;
        // Batches are a function of the step and the schedule of the step number, so a run resumed at step k with
        // step k's weights and optimizer state takes the same steps as one that was never stopped.
        if (resume?.StartStep is > 0 and var start)
        {
            if (start >= totalSteps) throw new ArgumentException($"resume point at step {start} is not before the last step {totalSteps}", nameof(resume));
            // The masters start from the loaded weights; a bfloat16 model's saved masters then replace them (the weights
            // hold only their rounded values).
            masters.ParametersToMasters();
            resume.LoadOptimizer!(optimizer, masters);
            step = start;
        }
        while (step < totalSteps && !cancellation.IsCancellationRequested)
        {
            double lr = schedule.At(step);
            var (stepLoss, gradNorm, batchTokens) = Step(model, masters, optimizer, source.BatchAt(step), settings, lr, loss);
            if (!double.IsFinite(gradNorm)) skipped++;
            step++;
            if (step == 1) firstLoss = stepLoss;
            tokens += batchTokens;
            windowTokens += batchTokens;
            windowLoss += stepLoss;
            windowSteps++;
            stepDone?.Invoke(step);
            if (resume?.Save is { } save && settings.ResumeEvery > 0 && step % settings.ResumeEvery == 0 && step < totalSteps)
                save(step, optimizer, masters);
            if (step % settings.LogEvery == 0 || step == totalSteps)
            {
                var report = new SftProgress(step, totalSteps, windowLoss / windowSteps, lr, gradNorm,
                    windowTokens / Math.Max(window.Elapsed.TotalSeconds, 1e-9), tokens);
                log.Add(report);
                progress?.Invoke(report);
                window.Restart();
                windowLoss = 0;
                windowTokens = 0;
                windowSteps = 0;
            }
        }
        model.eval();
        double finalLoss = windowSteps > 0 ? windowLoss / windowSteps : log.Count > 0 ? log[^1].Loss : double.NaN;
        return new SftResult(step, skipped, firstLoss, finalLoss, tokens, clock.Elapsed.TotalSeconds, log);
    }

    // One optimizer step inside its own dispose scope: every tensor of the step is freed before the next one starts.
    private static (double Loss, double GradNorm, long Tokens) Step(PolicyModel model, MasterWeights masters, optim.Optimizer optimizer,
        IReadOnlyList<SftExample> examples, SftSettings settings, double learningRate, SftBatchLoss objective)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        // With multi-token prediction modules, one forward serves the main loss and theirs (whole documents, padded).
        var (loss, tokens, mtp) = model.Config.MtpLayers > 0 && settings.MtpLossWeight > 0
            ? MtpLoss.Compute(model, examples, settings.MaxSeqLen, settings.MtpLossWeight)
            : WithoutMtp(objective(model, examples, settings.MaxSeqLen));
        // A MoE policy trained with aux-loss balancing adds the balance loss; aux-free balancing moves the router
        // biases after the step instead (both do nothing for a dense policy).
        var total = model.AuxLoss() is { } aux ? loss + aux : loss;
        if (mtp is not null) total = total + mtp;
        total.backward();
        masters.GradientsToMasters();   // bfloat16: clipping and AdamW see float32 gradients
        double gradNorm = GradientClipping.ClipByGlobalNorm(masters.Active ? masters.Trainable : model.parameters(), settings.GradClip);
        // A NaN or infinite gradient would poison the weights and Adam's moments for good: drop the step instead.
        if (double.IsFinite(gradNorm))
        {
            OptimizerFactory.SetLearningRate(optimizer, learningRate);
            optimizer.step();
            masters.MastersToParameters();
            model.UpdateRouterBiases();
        }
        return (loss.item<float>(), gradNorm, tokens);
    }

    private static (Tensor Loss, long Tokens, Tensor? Mtp) WithoutMtp((Tensor Loss, long Tokens) objective) =>
        (objective.Loss, objective.Tokens, null);

    private static (Tensor Loss, long Tokens) PaddedBatchLoss(PolicyModel model, IReadOnlyList<SftExample> examples, int maxSeqLen)
    {
        using var batch = SftBatch.Build(examples, model.Config.PadTokenId, maxSeqLen, model.Device);
        return (SftLoss.Compute(model, batch), batch.Tokens);
    }
}
