using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// Feeds <see cref="TensorBoardLog.Replayed"/> while an actor-engine run trains: it tails the run's journal (the same
/// query <c>r1 replay --follow</c> uses, so TensorBoard shows what the replay computes) and writes each step as the
/// learner journals it. Nothing it does can stop the training: a failure is reported once and the following ends.
/// A resumed run replays its journal from the start, so steps of earlier sessions are written again with the same
/// values (TensorBoard draws them over each other); no step is ever left out.
/// </summary>
internal sealed class TensorBoardFollower
{
    private static readonly TimeSpan JournalPoll = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private readonly Task following;
    private long written;

    private TensorBoardFollower(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog log, TextWriter error) =>
        following = Task.Run(() => Follow(dataDir, config, runId, scaling, log, error));

    /// <summary>Steps written so far.</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>
    /// Starts following run <paramref name="runId"/> in the journal <paramref name="config"/> names; the run's
    /// <paramref name="scaling"/> turns its journaled rewards into the advantages the histograms show.
    /// </summary>
    public static TensorBoardFollower Start(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog log, TextWriter error) =>
        new(dataDir, config, runId, scaling, log, error);

    /// <summary>
    /// Lets the follower catch up with a run that has ended (until <paramref name="steps"/> steps are written, or
    /// <paramref name="patience"/> passes), then stops it.
    /// </summary>
    public async Task StopAsync(long steps, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (Written < steps && !following.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(100);
        await stop.CancelAsync();
        await following;
    }

    private async Task Follow(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog log, TextWriter error)
    {
        try
        {
            // A fresh run's journal appears when the engine starts: wait for it.
            while (!File.Exists(Path.Combine(dataDir, Engine.Hosting.EngineConfig.JournalFileName)) && UsesSqlite(dataDir, config))
                await Task.Delay(JournalPoll, stop.Token);
            await using var reader = JournalReader.Open(dataDir, config);
            var projection = new RunProjection();
            var distributions = new StepDistributions(scaling);
            await foreach (var e in reader.Live(runId, stop.Token))
            {
                distributions.Apply(e);
                if (!projection.Apply(e)) continue;
                long step = e.Event switch { StepApplied a => a.Step, StepCompleted c => c.Step, _ => -1 };
                if (projection.Step(step) is not { } replayed) continue;
                var (advantages, lengths) = distributions.Take(step);
                log.Replayed(replayed, advantages, lengths);
                Interlocked.Increment(ref written);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            error.WriteLine($"r1 train: warning: TensorBoard stops following the journal ({e.Message}); the run goes on, and `r1 replay` reads the same figures");
        }
    }

    private static bool UsesSqlite(string dataDir, Config config) =>
        Engine.Hosting.EngineConfig.UsesSqlite(Engine.Hosting.EngineConfig.ForDataDirectory(dataDir, config));
}
