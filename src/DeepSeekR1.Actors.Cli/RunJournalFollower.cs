using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Cli;

/// <summary>
/// Tails an actor-engine run's journal while it trains (the same query <c>r1 replay --follow</c> uses) for what the
/// training console and TensorBoard cannot learn from the step reports: it feeds <see cref="TensorBoardLog.Replayed"/>
/// each step as the learner journals it (so TensorBoard shows what the replay computes), and announces a pause or a
/// resume journaled during this session, whoever asked for it (pbm on any node). Nothing it does can stop the
/// training: a failure is reported once and the following ends. A resumed run replays its journal from the start, so
/// steps of earlier sessions are written again with the same values (TensorBoard draws them over each other); no step
/// is ever left out.
/// </summary>
internal sealed class RunJournalFollower
{
    private static readonly TimeSpan JournalPoll = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private readonly Task following;
    private long written;

    private RunJournalFollower(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog? log,
        Action<string> announce, TextWriter error)
    {
        var since = DateTimeOffset.UtcNow;
        following = Task.Run(() => Follow(dataDir, config, runId, scaling, log, since, announce, error));
    }

    /// <summary>Steps written so far.</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>
    /// Starts following run <paramref name="runId"/> in the journal <paramref name="config"/> names; the run's
    /// <paramref name="scaling"/> turns its journaled rewards into the advantages the histograms show. With no
    /// <paramref name="log"/> (TensorBoard off) it only announces pauses and resumes, one line each to
    /// <paramref name="announce"/>.
    /// </summary>
    public static RunJournalFollower Start(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog? log,
        Action<string> announce, TextWriter error) =>
        new(dataDir, config, runId, scaling, log, announce, error);

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

    private async Task Follow(string dataDir, Config config, string runId, AdvantageScaling scaling, TensorBoardLog? log,
        DateTimeOffset since, Action<string> announce, TextWriter error)
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
                // Only what happens in this session: a resumed run's journal also holds the pauses of earlier ones.
                if (e.Timestamp is not { } at || at >= since)
                {
                    if (e.Event is RunPaused paused)
                        announce($"r1 train: run {runId} paused after {paused.StepsCompleted} steps; the steps in flight finish, no new one starts until it is resumed");
                    else if (e.Event is RunResumed resumed)
                        announce($"r1 train: run {runId} resumed after {resumed.StepsCompleted} steps");
                }
                if (log is null) continue;
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
