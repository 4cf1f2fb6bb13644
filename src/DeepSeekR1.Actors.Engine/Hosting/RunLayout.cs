namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// Where a run's files live, in one place: every engine (inline or actor), command and tool that reads or writes a
/// run folder names its files through this record, so the folder format is written down once.
/// </summary>
/// <param name="RunDirectory">The run's folder: <c>STORE/runs/RUN_ID</c>, where STORE is the data dir or a cluster's shared checkpoint store.</param>
public sealed record RunLayout(string RunDirectory)
{
    /// <summary>The layout of run <paramref name="runId"/> under <paramref name="store"/>.</summary>
    public static RunLayout Under(string store, string runId) => new(Path.Combine(store, "runs", runId));

    /// <summary>The effective configuration, written when the run begins (its presence means "resume").</summary>
    public string ConfigFile => Path.Combine(RunDirectory, "config.conf");

    /// <summary>One JSON line of metrics per step, for plotting (the journal is the record).</summary>
    public string MetricsFile => Path.Combine(RunDirectory, "metrics.jsonl");

    /// <summary>TensorBoard event files of the run's steps (<c>tensorboard --logdir STORE/runs</c>).</summary>
    public string TensorBoard => Path.Combine(RunDirectory, "tensorboard");

    /// <summary>The lock one <c>r1 train</c> process holds on the run.</summary>
    public string LockFile => Path.Combine(RunDirectory, "train.lock");

    /// <summary>The held-out evaluation of the policy the run started from, kept so that a resume does not redo it.</summary>
    public string BeforeEvaluationFile => Path.Combine(RunDirectory, "eval-before.json");

    /// <summary>The held-out evaluation of the policy the run ended with (what <c>r1 replay</c> reports beside the before).</summary>
    public string AfterEvaluationFile => Path.Combine(RunDirectory, "eval-after.json");

    /// <summary>Where the learner stages files a checkpoint copies in (the optimizer state).</summary>
    public string Staging => Path.Combine(RunDirectory, ".staging");

    /// <summary>The folder of every checkpoint.</summary>
    public string Checkpoints => Path.Combine(RunDirectory, "checkpoints");

    /// <summary>The checkpoint folder of policy version <paramref name="version"/> (the policy after that many steps).</summary>
    public string Checkpoint(long version) => Path.Combine(Checkpoints, $"step-{version:D6}");
}
