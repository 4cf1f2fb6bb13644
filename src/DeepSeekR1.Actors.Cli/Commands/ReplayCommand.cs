using System.CommandLine;
using System.Diagnostics;
using DeepSeekR1.Actors.Cli.Replay;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 replay --run ID --out DIR [--follow]</c>: reads a run's journal through Akka.Persistence.Query (no node needs
/// to run; a journal copied from another machine works) and writes the paper's analyses: <c>metrics.csv</c>,
/// <c>accuracy_by_level.csv</c>, PNG charts and <c>report.md</c>. With <c>--follow</c> it tails a live run and
/// refreshes the outputs until the run ends or Ctrl+C.
/// </summary>
public static class ReplayCommand
{
    /// <summary>Exit code when the journal cannot be read (missing, unknown run, event from a newer build).</summary>
    public const int JournalError = 2;

    /// <summary>How often <c>--follow</c> refreshes the outputs at most (and how soon after the last new step).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private static readonly Option<string> Run = new("--run-id", "--run") { Description = "The run id, as r1 train --run-id takes it (--run also works)", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "Folder for metrics.csv, accuracy_by_level.csv, the charts and report.md", Required = true };
    private static readonly Option<bool> Follow = new("--follow") { Description = "Keep tailing a live run and refresh the outputs until it ends (or Ctrl+C)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("replay", "Reproduce the paper's analyses (accuracy, reward, length, reflective words, language mixing, accuracy by level) from a run's journal")
        {
            Run, Out, Follow,
        };
        command.WithConfigOptions();
        command.SetAction(ExecuteAsync);
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellation)
    {
        var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        string runId = parse.GetValue(Run)!;
        string outDir = parse.GetValue(Out)!;
        var config = CommonOptions.Load(parse);
        string dataDir = config.GetString("r1.data-dir");
        int smoothing = config.GetInt("r1.replay.chart-smoothing");
        if (smoothing < 1) throw new ConfigException($"r1.replay.chart-smoothing: {smoothing} is below 1 (1 draws no mean)");
        try
        {
            await using var reader = JournalReader.Open(dataDir, config.Root);
            var projection = new RunProjection();
            if (parse.GetValue(Follow))
            {
                output.WriteLine($"r1 replay: following run {runId} in {dataDir} (Ctrl+C to stop); outputs in {outDir}");
                await FollowAsync(reader, runId, outDir, projection, output, smoothing, cancellation);
            }
            else
            {
                await foreach (var e in reader.Current(runId, cancellation)) projection.Apply(e);
                if (projection.Events == 0)
                {
                    var runs = await reader.RunIds();
                    error.WriteLine($"r1 replay: run '{runId}' has no events in the journal of {dataDir}; it holds "
                        + (runs.Count == 0 ? "no run" : $"the runs {string.Join(", ", runs)}"));
                    return JournalError;
                }
            }
            var heldOut = HeldOut.Of(new RunLayout(TrainCommand.RunDirectory(config, runId)));
            var steps = ReplayOutput.Write(outDir, runId, projection, heldOut, smoothing);
            output.WriteLine($"r1 replay: run {runId}, {steps.Count} steps ({projection.State}), {projection.Events} events; wrote {Path.Combine(outDir, ReplayReport.FileName)}");
            return 0;
        }
        catch (Exception e) when (e is JournalReadException or FileNotFoundException)
        {
            error.WriteLine($"r1 replay: {e.Message}");
            return JournalError;
        }
    }

    // Applies events as they come and refreshes the outputs when a step was added: at most once per refresh interval
    // while events stream in, and as soon as the stream goes quiet. Ends when the run finishes or stops, or on cancel.
    private static async Task FollowAsync(JournalReader reader, string runId, string outDir, RunProjection projection, TextWriter output, int smoothing, CancellationToken cancellation)
    {
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupted.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            await using var events = reader.Live(runId, interrupted.Token).GetAsyncEnumerator(interrupted.Token);
            var next = events.MoveNextAsync().AsTask();
            var sinceWrite = Stopwatch.StartNew();
            bool dirty = false;
            while (true)
            {
                var quiet = Task.Delay(RefreshInterval, CancellationToken.None);
                if (await Task.WhenAny(next, quiet) == next)
                {
                    if (!await next) break;                       // cancelled
                    dirty |= projection.Apply(events.Current);
                    if (projection.EndState is not null) break;   // finished or stopped: nothing more will come
                    next = events.MoveNextAsync().AsTask();
                    if (sinceWrite.Elapsed < RefreshInterval) continue;
                }
                if (!dirty) continue;
                var steps = ReplayOutput.Write(outDir, runId, projection, chartSmoothing: smoothing);
                output.WriteLine($"r1 replay: {steps.Count} steps so far (latest: step {steps[^1].Step + 1})");
                dirty = false;
                sinceWrite.Restart();
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
