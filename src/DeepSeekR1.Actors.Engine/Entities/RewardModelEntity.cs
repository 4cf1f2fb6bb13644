using Akka.Actor;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.RewardModels;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// One copy of a reward model (helpfulness or safety, from the output of <c>r1 rm train</c>) serving scores to the
/// verifiers of model-scored prompts. Requests that arrive close together are batched: the entity holds them until
/// <c>batch-size</c> turns are waiting or <c>batch-window</c> has passed since the first, then scores them all in as
/// few forward passes as the cap allows (one, unless more than <c>batch-size</c> turns wait) and answers each asker with
/// its own scores. Runs on the model dispatcher (the node's tensor thread): the load and every forward happen
/// synchronously inside one message, in a dispose scope, without gradient.
/// </summary>
/// <remarks>
/// The checkpoint is loaded at the first request, not in the constructor: a missing or damaged checkpoint then fails
/// each batch's requests with a <see cref="TurnScoringFailed"/> naming the path (and is tried again with the next),
/// instead of an actor that dies while being created and leaves its askers waiting. The run's start already refused a configured path that is not a reward model
/// (<see cref="ModelRewardSettings.RequireFor"/>); this covers a file damaged or removed since.
/// </remarks>
internal sealed class RewardModelEntity : ReceiveActor, IWithTimers
{
    /// <summary>What an entity serves and how it batches.</summary>
    /// <param name="Kind">Which of the two models.</param>
    /// <param name="Checkpoint">Its checkpoint folder.</param>
    /// <param name="BatchSize">Most turns in one forward pass.</param>
    /// <param name="BatchWindow">How long the first waiting request waits for company.</param>
    /// <param name="MaxSeqLen">Longest turn in tokens.</param>
    public sealed record Options(RewardModelKind Kind, string Checkpoint, int BatchSize, TimeSpan BatchWindow, int MaxSeqLen)
    {
        /// <summary>What the transformer computes in: the run's <c>r1.model.dtype</c> (the head stays float32).</summary>
        public ModelDtype Dtype { get; init; } = ModelDtype.Float32;
    }

    private sealed record Flush;

    private sealed record Waiting(ScoreTurns Request, IActorRef Asker);

    private readonly Options options;
    private readonly IPolicyTokenizer tokenizer;
    private readonly Device device;
    private readonly List<Waiting> waiting = [];
    private int waitingTurns;
    private RewardModel? model;
    private long requests, turns, forwards;
    private int largestBatch;

    public RewardModelEntity(Options options, IPolicyTokenizer tokenizer, Device device)
    {
        this.options = options;
        this.tokenizer = tokenizer;
        this.device = device;
        Receive<ScoreTurns>(request =>
        {
            if (request.Turns.Count == 0)
            {
                Sender.Tell(new TurnsScored(request.RequestId, []));
                return;
            }
            waiting.Add(new Waiting(request, Sender));
            waitingTurns += request.Turns.Count;
            if (waitingTurns >= options.BatchSize) ScoreWaiting();
            else if (!Timers.IsTimerActive(nameof(Flush))) Timers.StartSingleTimer(nameof(Flush), new Flush(), options.BatchWindow);
        });
        Receive<Flush>(_ => ScoreWaiting());
        Receive<GetRewardModelStats>(_ => Sender.Tell(new RewardModelStats(options.Checkpoint,
            RewardModelCheckpoint.KindName(options.Kind), requests, turns, forwards, largestBatch)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    // Every waiting request, scored in chunks of at most batch-size turns (a request may straddle two chunks); each
    // asker gets its slice of the scores back.
    private void ScoreWaiting()
    {
        Timers.Cancel(nameof(Flush));
        if (waiting.Count == 0) return;
        var batch = waiting.ToArray();
        waiting.Clear();
        waitingTurns = 0;
        float[] scores;
        try
        {
            scores = Score(batch.SelectMany(w => w.Request.Turns).ToArray());
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            // Tried again with the next batch: a checkpoint still being copied to this node may load then.
            string reason = $"cannot load the {RewardModelCheckpoint.KindName(options.Kind)} reward model from {options.Checkpoint}: {e.Message}";
            Context.GetLogger().Error("reward model {0}: {1}", Self.Path.Name, reason);
            foreach (var w in batch) w.Asker.Tell(new TurnScoringFailed(w.Request.RequestId, reason));
            return;
        }
        int at = 0;
        foreach (var w in batch)
        {
            w.Asker.Tell(new TurnsScored(w.Request.RequestId, scores[at..(at + w.Request.Turns.Count)]));
            at += w.Request.Turns.Count;
        }
        requests += batch.Length;
    }

    private float[] Score(IReadOnlyList<RewardModelTurn> all)
    {
        model ??= Load();
        var sequences = all.Select(t => RewardModelInput.Encode(tokenizer, t.Prompt, t.Response, options.MaxSeqLen)).ToArray();
        var scores = new List<float>(sequences.Length);
        for (int start = 0; start < sequences.Length; start += options.BatchSize)
        {
            var chunk = sequences[start..Math.Min(sequences.Length, start + options.BatchSize)];
            using (var scope = NewDisposeScope())
                scores.AddRange(RewardModelTrainer.Score(model, chunk, chunk.Length));
            forwards++;
            largestBatch = Math.Max(largestBatch, chunk.Length);
        }
        turns += sequences.Length;
        return scores.ToArray();
    }

    private RewardModel Load()
    {
        var loaded = RewardModelCheckpoint.Load(options.Checkpoint, device, options.Dtype);
        if (loaded.Kind != options.Kind)
        {
            loaded.Dispose();
            throw new CheckpointException(options.Checkpoint, $"is a {RewardModelCheckpoint.KindName(loaded.Kind)} reward model, not a {RewardModelCheckpoint.KindName(options.Kind)} one");
        }
        loaded.eval();
        return loaded;
    }

    protected override void PostStop()
    {
        model?.Dispose();
        base.PostStop();
    }
}
