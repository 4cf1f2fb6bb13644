using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepSeekR1.Actors.Cli.Pipeline;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench async</c>: the same training (the configured task and seeds, <c>r1.bench.async-steps</c> steps) in each
/// mode of <c>r1.bench.async-modes</c>, one <c>r1 train</c> child process each (so that every mode starts with fresh
/// libtorch thread settings and the same held-out evaluation before and after). A mode is "STALENESSxTHREADS":
/// <c>r1.async.max-staleness</c> and <c>r1.engine.tensor-threads</c>. Steps per minute are steady-state, from the first
/// step's report to the last; the idle shares come from the engine's markers over the same window: a sampler is busy
/// from <c>sampling</c> to <c>generated</c>, the learner from <c>update</c> to <c>applied</c>. The mean staleness is the
/// learner's journaled figure (the lag of the samples it trained on). The headline compares the first synchronous mode
/// with the first asynchronous one.
/// </summary>
public static partial class AsyncBenchmark
{
    /// <summary>One mode's figures.</summary>
    private sealed record ModeResult(string Mode, int Staleness, int TensorThreads, double StepsPerMinute, double? PassAt1Before, double? PassAt1,
        double MeanStaleness, int StaleDropped, double SamplerIdleShare, double LearnerIdleShare);

    /// <summary>Runs every mode and returns the JSON fields.</summary>
    /// <param name="settings">The bench settings (steps, modes).</param>
    /// <param name="shared">The command's own --config / --set options, passed on to every run.</param>
    /// <param name="console">Where each run's progress goes (one line per mode).</param>
    public static Dictionary<string, object?> Run(BenchSettings settings, IReadOnlyList<string> shared, TextWriter console)
    {
        if (settings.AsyncSteps < 3) throw new ConfigException("r1.bench.async-steps must be at least 3 (the first step is start-up, the rest are timed)");
        var modes = settings.AsyncModes.Select(ParseMode).ToArray();
        if (!modes.Any(m => m.Staleness == 0) || !modes.Any(m => m.Staleness > 0))
            throw new ConfigException("r1.bench.async-modes needs a synchronous mode (0xT) and an asynchronous one (KxT, K >= 1)");

        var work = Directory.CreateTempSubdirectory("r1-bench-async-");
        try
        {
            var results = modes.Select(m => RunMode(m.Text, m.Staleness, m.Threads, settings.AsyncSteps, shared, work.FullName, console)).ToArray();
            var sync = results.First(r => r.Staleness == 0);
            var async = results.First(r => r.Staleness > 0);
            return new Dictionary<string, object?>
            {
                ["benchmark"] = "async",
                ["steps"] = settings.AsyncSteps,
                ["sync_mode"] = sync.Mode,
                ["async_mode"] = async.Mode,
                ["sync_steps_per_minute"] = Math.Round(sync.StepsPerMinute, 3),
                ["async_steps_per_minute"] = Math.Round(async.StepsPerMinute, 3),
                ["speedup"] = Math.Round(async.StepsPerMinute / sync.StepsPerMinute, 3),
                ["pass_at_1_before"] = sync.PassAt1Before,
                ["sync_pass_at_1"] = sync.PassAt1,
                ["async_pass_at_1"] = async.PassAt1,
                ["mean_staleness"] = Math.Round(async.MeanStaleness, 3),
                ["stale_dropped"] = async.StaleDropped,
                ["sampler_idle_share"] = Math.Round(async.SamplerIdleShare, 3),
                ["learner_idle_share"] = Math.Round(async.LearnerIdleShare, 3),
                ["sync_sampler_idle_share"] = Math.Round(sync.SamplerIdleShare, 3),
                ["sync_learner_idle_share"] = Math.Round(sync.LearnerIdleShare, 3),
                ["modes"] = results.Select(r => new Dictionary<string, object?>
                {
                    ["mode"] = r.Mode, ["max_staleness"] = r.Staleness, ["tensor_threads"] = r.TensorThreads,
                    ["steps_per_minute"] = Math.Round(r.StepsPerMinute, 3), ["pass_at_1"] = r.PassAt1,
                    ["speedup"] = Math.Round(r.StepsPerMinute / sync.StepsPerMinute, 3),
                    ["mean_staleness"] = Math.Round(r.MeanStaleness, 3), ["stale_dropped"] = r.StaleDropped,
                    ["sampler_idle_share"] = Math.Round(r.SamplerIdleShare, 3), ["learner_idle_share"] = Math.Round(r.LearnerIdleShare, 3),
                }).ToArray(),
            };
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static (string Text, int Staleness, int Threads) ParseMode(string text)
    {
        var match = ModePattern().Match(text);
        if (!match.Success)
            throw new ConfigException($"r1.bench.async-modes: '{text}' is not STALENESSxTHREADS (e.g. 0x1, 1x2)");
        int threads = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (threads is not (1 or 2)) throw new ConfigException($"r1.bench.async-modes: '{text}': tensor threads must be 1 or 2");
        return (text, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), threads);
    }

    private static ModeResult RunMode(string mode, int staleness, int threads, int steps, IReadOnlyList<string> shared, string work, TextWriter console)
    {
        string dataDir = Path.Combine(work, mode);
        var clock = Stopwatch.StartNew();
        var stepEnds = new List<double>();
        var markers = new List<(double Seconds, string Kind)>();
        string[] args =
        [
            "train", .. shared, "--data-dir", dataDir, "--run-id", "bench",
            "--set", $"r1.grpo.steps={steps}", "--set", $"r1.async.max-staleness={staleness}", "--set", $"r1.engine.tensor-threads={threads}",
            "--set", "r1.engine.markers=on", "--set", "r1.train.tensorboard=off", "--set", "r1.pbm.port=0",
        ];
        console.WriteLine($"r1 bench async: {mode} (r1.async.max-staleness={staleness}, r1.engine.tensor-threads={threads}), {steps} steps");
        var result = StageProcess.Run(args, TextWriter.Null, Path.Combine(work, $"{mode}.log"), line =>
        {
            double now = clock.Elapsed.TotalSeconds;
            if (StepPattern().IsMatch(line)) stepEnds.Add(now);
            else if (MarkerPattern().Match(line) is { Success: true } m) markers.Add((now, m.Groups[1].Value));
        });
        if (result.ExitCode != 0 || result.Summary is not { } summary)
            throw new InvalidOperationException($"r1 bench async: mode {mode}: r1 train ended with {Commands.EngineSupervisor.Describe(result.ExitCode)}: {result.Tail()}");
        if (stepEnds.Count != steps)
            throw new InvalidOperationException($"r1 bench async: mode {mode}: saw {stepEnds.Count} step reports for {steps} steps");

        // The timed window: the end of the first step to the end of the last (start-up and the first checkpoint stay out).
        double from = stepEnds[0], to = stepEnds[^1];
        double stepsPerMinute = (steps - 1) / (to - from) * 60;
        double samplerBusy = Busy(markers, "sampling", "generated", from, to);
        double learnerBusy = Busy(markers, "update", "applied", from, to);
        var (meanStaleness, dropped) = Staleness(dataDir).GetAwaiter().GetResult();
        var outcome = new ModeResult(mode, staleness, threads, stepsPerMinute, Fraction(summary, "pass_at_1_before"), Fraction(summary, "pass_at_1_after"),
            meanStaleness, dropped, 1 - samplerBusy / (to - from), 1 - learnerBusy / (to - from));
        console.WriteLine(FormattableString.Invariant(
            $"r1 bench async: {mode}: {stepsPerMinute:F2} steps/min, pass@1 {outcome.PassAt1:F3}, staleness {meanStaleness:F2}, idle sampler {outcome.SamplerIdleShare:F2} learner {outcome.LearnerIdleShare:F2}"));
        return outcome;
    }

    // Seconds inside [from, to] covered by intervals that open at a `begin` marker and close at the next `end` marker.
    private static double Busy(IReadOnlyList<(double Seconds, string Kind)> markers, string begin, string end, double from, double to)
    {
        double busy = 0;
        double? open = null;
        foreach (var (seconds, kind) in markers)
        {
            if (kind == begin) open ??= seconds;
            else if (kind == end && open is double start)
            {
                busy += Math.Max(0, Math.Min(seconds, to) - Math.Max(start, from));
                open = null;
            }
        }
        return busy;
    }

    private static double? Fraction(JsonObject summary, string key) =>
        summary[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    // The learner's journaled staleness over every step (0 for a synchronous run, which journals none).
    private static async Task<(double Mean, int Dropped)> Staleness(string dataDir)
    {
        await using var reader = JournalReader.Open(dataDir);
        var projection = new RunProjection();
        await foreach (var e in reader.Current("bench")) projection.Apply(e);
        var steps = projection.Steps();
        var lags = steps.Where(s => s.Staleness is not null).Select(s => s.Staleness!.Value.Mean).ToArray();
        return (lags.Length == 0 ? 0 : lags.Average(), steps.Sum(s => s.StaleDropped));
    }

    [GeneratedRegex(@"^(\d+)x(\d+)$")]
    private static partial Regex ModePattern();

    [GeneratedRegex(@"^step +\d+/\d+ \|")]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"r1-engine: (sampling|generated|update|applied) step=")]
    private static partial Regex MarkerPattern();
}
