using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Rl.Analysis;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>
/// Folds a run's events, in journal order, into its applied steps: the learner's metrics of each step and the analyses
/// of the step's completions. Feed it <see cref="JournalReader.Current"/> for a finished run or <see cref="JournalReader.Live"/>
/// for a running one; <see cref="Steps"/> is valid after any prefix of the events.
/// </summary>
public sealed class RunProjection
{
    private sealed record Group(long Step, int Level, long PolicyVersion)
    {
        public HashSet<int> Samples { get; } = [];
    }

    private readonly Dictionary<string, Group> groups = [];                        // by the group's persistence id
    private readonly Dictionary<long, StepAnalysisBuilder> analyses = [];          // sums per step, never the completions
    private readonly SortedDictionary<long, (MetricsData Metrics, DateTimeOffset? At)> applied = [];
    private readonly Dictionary<long, long> policyVersions = [];
    private readonly Dictionary<long, ExpertLoadRecorded> expertLoads = [];
    private readonly Dictionary<long, (long Samples, long LagSum, long LagMax)> staleness = [];   // by step
    private readonly Dictionary<long, StalenessRecorded> trainedStaleness = [];                  // the learner's own figures
    private readonly Dictionary<long, (DateTimeOffset First, DateTimeOffset Last)> sampling = [];  // first group start, last sample
    private readonly HashSet<long> learnerSteps = [];
    private readonly SortedSet<long> twice = [];
    private readonly List<RunRestarted> restarts = [];

    /// <summary>The run's configuration, once its first event was read.</summary>
    public RunStarted? Started { get; private set; }

    /// <summary>When the run was started (its <see cref="RunStarted"/> was journaled), if the journal kept the time.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The run's lifecycle state as of the events read (one of <see cref="RunStates"/>; new before any).</summary>
    public string State { get; private set; } = RunStates.New;

    /// <summary><see cref="RunStates.Finished"/> or <see cref="RunStates.Stopped"/> once the run ended; null while it may go on.</summary>
    public string? EndState => State is RunStates.Finished or RunStates.Stopped or RunStates.Failed ? State : null;

    /// <summary>Why the run failed, once a <see cref="RunFailed"/> was read.</summary>
    public string? Failure { get; private set; }

    /// <summary>Events applied.</summary>
    public long Events { get; private set; }

    /// <summary>The times the run's engine died and its supervisor restarted it, in order.</summary>
    public IReadOnlyList<RunRestarted> Restarts => restarts;

    /// <summary>
    /// Steps the learner journaled more than once (a step applied twice would change the policy twice); empty for a run
    /// whose every step was applied exactly once, whatever crashed and resumed along the way.
    /// </summary>
    public IReadOnlyCollection<long> StepsAppliedTwice => twice;

    /// <summary>Takes the next event of the run. Returns true when it completed a step (a new row for the outputs).</summary>
    /// <param name="e">The event.</param>
    public bool Apply(JournalEvent e)
    {
        Events++;
        switch (e.Event)
        {
            case RunStarted started:
                (Started, StartedAt, State) = (started, e.Timestamp, RunStates.Running);
                return false;
            case RunPaused:
                State = RunStates.Paused;
                return false;
            case RunResumed:
                State = RunStates.Running;
                return false;
            case StepStarted step:
                policyVersions[step.Step] = step.PolicyVersion;
                return false;
            case GroupStarted group:
                groups.TryAdd(e.PersistenceId, new Group(group.Step, group.Question.Level, group.PolicyVersion));
                Sampled(group.Step, e.Timestamp);
                return false;
            case RolloutRecorded recorded:
                // A group's start precedes its rollouts in journal order; without it a rollout belongs to no known step.
                if (groups.TryGetValue(e.PersistenceId, out var owner))
                {
                    Add(e.PersistenceId, recorded.Rollout);
                    Sampled(owner.Step, e.Timestamp);
                }
                return false;
            case ExpertLoadRecorded load:
                expertLoads[load.Step] = load;
                return false;
            case StalenessRecorded lag:
                trainedStaleness[lag.Step] = lag;
                return false;
            case StepApplied step:
                return Record(step.Step, step.Metrics, e.Timestamp, learner: true);
            case StepCompleted { Metrics: { } metrics } step:
                return Record(step.Step, metrics, e.Timestamp, learner: false);
            case RunFinished:
                State = RunStates.Finished;
                return false;
            case RunStopped:
                State = RunStates.Stopped;
                return false;
            case RunFailed failed:
                (State, Failure) = (RunStates.Failed, failed.Reason);
                return false;
            case RunRestarted restarted:
                restarts.Add(restarted);
                return false;
            default:
                return false;
        }
    }

    // The learner's StepApplied is the truth. Journals written before metrics were journaled once also have a copy in
    // the run's StepCompleted, which stands in only when the learner's event is missing (a journal cut short between
    // the two); newer StepCompleted events carry no metrics and add nothing here.
    private bool Record(long step, MetricsData metrics, DateTimeOffset? at, bool learner)
    {
        if (learner && !learnerSteps.Add(step)) twice.Add(step);
        bool isNew = !applied.ContainsKey(step);
        if (isNew || learner) applied[step] = (metrics, at);
        return isNew;
    }

    // Each (group, sample) counts once: a group never journals a sample twice, but a replay must not count one twice either.
    private void Add(string groupId, RolloutData rollout)
    {
        var group = groups[groupId];
        if (!group.Samples.Add(rollout.Sample)) return;
        if (!analyses.TryGetValue(group.Step, out var builder)) analyses[group.Step] = builder = new StepAnalysisBuilder();
        builder.Add(new CompletionRecord(group.Level, rollout.Completion, rollout.CompletionIds.Count, rollout.Reward, rollout.Correct));
        // The learner of step s applies policy version s + 1 from version s; a sample of version v is s - v versions old.
        long lag = group.Step - rollout.PolicyVersion;
        var (samples, sum, max) = staleness.GetValueOrDefault(group.Step);
        staleness[group.Step] = (samples + 1, sum + lag, samples == 0 ? lag : Math.Max(max, lag));
    }

    // The span of a step's sampling, from its first group's start to its last sample, by the journal's clock.
    private void Sampled(long step, DateTimeOffset? at)
    {
        if (at is not { } t) return;
        sampling[step] = sampling.TryGetValue(step, out var span) ? (t < span.First ? t : span.First, t > span.Last ? t : span.Last) : (t, t);
    }

    // Seconds of sampling (first group start to last sample) and of learning (last sample to the learner's StepApplied).
    private (double Sampling, double Learning)? Phases(long step, DateTimeOffset? applied) =>
        sampling.TryGetValue(step, out var span) && applied is { } done && done >= span.Last
            ? ((span.Last - span.First).TotalSeconds, (done - span.Last).TotalSeconds)
            : null;

    /// <summary>The applied steps so far, in step order.</summary>
    public IReadOnlyList<ReplayStep> Steps() => applied.Keys.Select(Replayed).ToArray();

    /// <summary>One applied step (as <see cref="Steps"/> has it), or null when <paramref name="step"/> is not applied yet.</summary>
    public ReplayStep? Step(long step) => applied.ContainsKey(step) ? Replayed(step) : null;

    private ReplayStep Replayed(long step)
    {
        var (metrics, at) = applied[step];
        return new ReplayStep(step, PolicyVersion(step), metrics, Analysis(step), at, at - StartedAt is { } since ? since.TotalSeconds : null)
        {
            ExpertLoad = expertLoads.GetValueOrDefault(step),
            // The learner's figures cover only what it trained on (it drops samples past the bound); without them (a
            // synchronous run) every journaled sample was trained on.
            Staleness = trainedStaleness.GetValueOrDefault(step) is { } trained ? (trained.Mean, trained.Max)
                : staleness.TryGetValue(step, out var lag) ? ((double)lag.LagSum / lag.Samples, lag.LagMax) : null,
            StaleDropped = trainedStaleness.GetValueOrDefault(step)?.Dropped ?? 0,
            LearnerIdleShare = trainedStaleness.GetValueOrDefault(step) is { } waited && metrics.StepSeconds > 0
                ? Math.Min(1, waited.WaitSeconds / metrics.StepSeconds) : null,
            Phases = Phases(step, at),
        };
    }

    private long PolicyVersion(long step) =>
        policyVersions.TryGetValue(step, out long version) ? version
        : groups.Values.FirstOrDefault(g => g.Step == step)?.PolicyVersion ?? step;

    private StepAnalysis Analysis(long step) =>
        (analyses.TryGetValue(step, out var builder) ? builder : new StepAnalysisBuilder()).Build();
}
