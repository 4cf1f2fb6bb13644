using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// The <c>run</c> palette: the runs in the journal, one run's status, metrics and checkpoints, and the lifecycle
/// commands of the run this node hosts. Pause, resume and stop are journaled by the Run entity, so they hold across a
/// restart of the node. Steps are numbered from 1 here, as <c>r1 train</c> prints them: step N leaves the policy at
/// version N, in the checkpoint folder <c>step-N</c>.
/// </summary>
internal static class RunPalette
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    // How long `run status` waits for the journal, and for the run itself while the journal is down.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static PbmPalette Create(EngineRun run, IActorRef runs, RunJournal journal)
    {
        string hosted = run.RunId;
        PbmOptionInfo id = new("id", $"The run id (default: {hosted}, the run this node hosts)");
        var palette = new Palette(run, runs, journal);
        return new("run", "Training runs: list, status, pause, resume, stop, metrics, checkpoints",
        [
            new(new("list", "Every run in the journal with its state, and which one this node hosts", []), palette.List),
            new(new("status", "A run's state, step, policy version and last metrics", [id]), palette.Status),
            new(new("pause", "Start no new step: the step in flight finishes and is journaled (holds across restarts)", [id]),
                i => palette.Lifecycle(i, new PauseRun(hosted), "paused: the step in flight finishes and is journaled; no new step starts until 'run resume'")),
            new(new("resume", "Continue a paused run with its next step", [id]),
                i => palette.Lifecycle(i, new ResumeRun(hosted), "running: the run continues with its next step")),
            new(new("stop", "Stop the run for good: no new step starts, now or after a restart, and the node's run ends", [id]),
                i => palette.Lifecycle(i, new StopRun(hosted), "stopped for good: no new step starts, now or after a restart; the node's run ends")),
            new(new("metrics", "The learner's metrics of a run's last steps", [id, new("last", "How many of the last steps (default 10)")]), palette.Metrics),
            new(new("checkpoints", "A run's checkpoints: policy version, folder, manifest hash, whether the folder is on disk", [id]), palette.Checkpoints),
        ]);
    }

    private sealed class Palette(EngineRun run, IActorRef runs, RunJournal journal)
    {
        private string Hosted => run.RunId;

        public async Task List(PbmInvocation invocation)
        {
            var table = new PbmTable("run", "state", "steps_done", "steps", "hosted_here");
            var ids = (await journal.RunIds(invocation.Cancellation)).Append(Hosted).Distinct().Order(StringComparer.Ordinal);
            foreach (string runId in ids)
            {
                var status = await StatusOf(runId, invocation.Cancellation);
                table.Add(runId, status?.State ?? RunStates.New, status?.StepsCompleted ?? 0, await PlannedSteps(runId, invocation.Cancellation), runId == Hosted);
            }
            await invocation.Send(table.ToFrame());
        }

        public async Task Status(PbmInvocation invocation)
        {
            string runId = RunId(invocation);
            if (await JournalError(invocation.Cancellation) is { } journalError)
            {
                await StatusWithoutJournal(invocation, runId, journalError);
                return;
            }
            var status = await StatusOf(runId, invocation.Cancellation) ?? throw await UnknownRun(runId, invocation.Cancellation);
            var applied = await journal.Applied(runId, invocation.Cancellation);
            var last = applied.Count > 0 ? applied[^1].Metrics : null;
            // An asynchronous run's last step: how many versions its trained samples lagged, and how many were too old.
            var lag = (await journal.Staleness(runId, invocation.Cancellation)).LastOrDefault(s => s.Step == applied.Count - 1);
            var table = new PbmTable("run", "state", "steps_done", "steps", "step_in_flight", "policy_version",
                "reward", "accuracy", "length", "kl", "loss", "step_seconds", "staleness_mean", "staleness_max", "stale_dropped", "learner_idle_share",
                "restarts", "checkpoint", "journal");
            table.Add(runId, status.State, status.StepsCompleted, await PlannedSteps(runId, invocation.Cancellation),
                status.CurrentStep >= 0 ? status.CurrentStep + 1 : null, (long)applied.Count,
                last?.RewardMean, last?.Accuracy, last?.CompletionLengthMean, last?.KlMean, last?.Loss, last?.StepSeconds,
                last is null ? null : lag?.Mean ?? 0.0, last is null ? null : lag?.Max ?? 0L, last is null ? null : lag?.Dropped ?? 0,
                lag is null || last is not { StepSeconds: > 0 } ? null : Math.Min(1, lag.WaitSeconds / last.StepSeconds),
                status.Restarts, applied.Count > 0 ? applied[^1].Checkpoint : status.Checkpoint, "ok");
            await invocation.Send(table.ToFrame(runId == Hosted ? null : "this run is not hosted by this node: its status comes from the journal"));
        }

        // The journal is down (a PostgreSQL outage, say): say so instead of failing. The engine retries with back-off
        // and loses nothing journaled; the hosted run may still answer from memory, the rest waits for the journal.
        private async Task StatusWithoutJournal(PbmInvocation invocation, string runId, string journalError)
        {
            RunStatus? live = null;
            if (runId == Hosted)
            {
                try { live = await runs.Ask<RunStatus>(EntityIds.To(Hosted, new GetRunStatus(runId)), ProbeTimeout, invocation.Cancellation); }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !invocation.Cancellation.IsCancellationRequested) { }
            }
            var table = new PbmTable("run", "state", "steps_done", "step_in_flight", "journal");
            table.Add(runId, live?.State ?? "unknown", live?.StepsCompleted, live is { CurrentStep: >= 0 } ? live.CurrentStep + 1 : null,
                $"unavailable: {journalError}");
            await invocation.Send(table.ToFrame("the journal cannot be reached: the engine retries with back-off and loses nothing journaled; metrics come back with it"));
        }

        // Null when the journal answers a cheap query in time, else why not.
        private async Task<string?> JournalError(CancellationToken cancellation)
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            probe.CancelAfter(ProbeTimeout);
            try
            {
                await journal.RunIds(probe.Token);
                return null;
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                return e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:F0} s" : e.GetBaseException().Message;
            }
        }

        public async Task Lifecycle(PbmInvocation invocation, IWireMessage command, string note)
        {
            string runId = RunId(invocation);
            if (runId != Hosted)
                throw new PbmException($"run '{runId}' is not hosted by this node (it hosts '{Hosted}'); connect to the node that runs it");
            var before = await Ask(new GetRunStatus(runId), invocation.Cancellation);
            var after = await Ask(command, invocation.Cancellation);
            var table = new PbmTable("run", "state", "was", "steps_done", "step_in_flight");
            table.Add(runId, after.State, before.State, after.StepsCompleted, after.CurrentStep >= 0 ? after.CurrentStep + 1 : null);
            await invocation.Send(table.ToFrame(after.State == before.State ? $"nothing to do: the run is {after.State}" : note));
        }

        public async Task Metrics(PbmInvocation invocation)
        {
            string runId = RunId(invocation);
            int last = invocation.PositiveInt("last", 10);
            var applied = await journal.Applied(runId, invocation.Cancellation);
            if (applied.Count == 0 && await StatusOf(runId, invocation.Cancellation) is null) throw await UnknownRun(runId, invocation.Cancellation);
            var table = new PbmTable("step", "reward", "reward_std", "accuracy", "length", "kl", "clip", "loss", "grad_norm", "lr", "step_seconds");
            foreach (var a in applied.Skip(Math.Max(0, applied.Count - last)))
            {
                var m = a.Metrics;
                table.Add(a.Step + 1, m.RewardMean, m.RewardStd, m.Accuracy, m.CompletionLengthMean, m.KlMean,
                    m.ClipFractionLow + m.ClipFractionHigh, m.Loss, m.GradNorm, m.LearningRate, m.StepSeconds);
            }
            await invocation.Send(table.ToFrame(applied.Count == 0 ? "no step applied yet" : $"last {Math.Min(last, applied.Count)} of {applied.Count} step(s)"));
        }

        public async Task Checkpoints(PbmInvocation invocation)
        {
            string runId = RunId(invocation);
            var applied = await journal.Applied(runId, invocation.Cancellation);
            if (applied.Count == 0 && await StatusOf(runId, invocation.Cancellation) is null) throw await UnknownRun(runId, invocation.Cancellation);
            var table = new PbmTable("policy_version", "checkpoint", "manifest_sha256", "on_disk");
            if (runId == Hosted)
            {
                string initial = run.Layout.Checkpoint(0);
                table.Add(0L, initial, null, Directory.Exists(initial));
            }
            foreach (var a in applied)
                table.Add(a.Step + 1, a.Checkpoint, a.ManifestSha256, Directory.Exists(a.Checkpoint));
            await invocation.Send(table.ToFrame(applied.Count == 0 ? "no step applied yet" : null));
        }

        private string RunId(PbmInvocation invocation) => invocation.Option("id") ?? Hosted;

        // The hosted run answers itself (it knows the step in flight at once); any other comes from the journal.
        private async Task<RunStatus?> StatusOf(string runId, CancellationToken cancellation) =>
            runId == Hosted ? await Ask(new GetRunStatus(runId), cancellation) : await journal.Status(runId, cancellation);

        private async Task<int?> PlannedSteps(string runId, CancellationToken cancellation) =>
            runId == Hosted ? run.Grpo.Steps : await journal.PlannedSteps(runId, cancellation);

        private Task<RunStatus> Ask(IWireMessage command, CancellationToken cancellation) =>
            runs.Ask<RunStatus>(EntityIds.To(Hosted, command), AskTimeout, cancellation);

        private async Task<PbmException> UnknownRun(string runId, CancellationToken cancellation)
        {
            var known = (await journal.RunIds(cancellation)).Append(Hosted).Distinct().ToArray();
            return new PbmException($"no run '{runId}' in the journal{ClosestName.Hint(runId, known)}; 'run list' shows the runs");
        }
    }
}
