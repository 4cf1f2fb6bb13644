using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The engine's own settings (HOCON section <c>r1.engine</c>; each key, its default and what it does are in
/// <c>hocon/local.conf</c>, the only place defaults live: these properties have none of their own).
/// </summary>
public sealed record EngineSettings
{
    /// <summary>Tensor threads of a node: 1 (samplers and learner share one) or 2 (samplers on their own).</summary>
    public required int TensorThreads { get; init; }
    /// <summary>Shards per entity kind; fixed for the life of a journal.</summary>
    public required int ShardCount { get; init; }
    /// <summary>Sampler slots, each holding a policy replica.</summary>
    public required int SamplerSlots { get; init; }
    /// <summary>Most outputs a sampler generates in one batch.</summary>
    public required int MaxBatchSamples { get; init; }
    /// <summary>How long the work queue waits for more offers before handing out a batch.</summary>
    public required TimeSpan BatchLinger { get; init; }
    /// <summary>In a synchronous run, the longest a step's first batch waits for the rest of the step's samples.</summary>
    public required TimeSpan StepGatherTimeout { get; init; }
    /// <summary>How often a finished group re-sends itself until acknowledged.</summary>
    public required TimeSpan GroupResendInterval { get; init; }
    /// <summary>Snapshot the run and the learner every N events (0 = never).</summary>
    public required int SnapshotEvery { get; init; }
    /// <summary>Whether to report marker lines (sampling, update, checkpoint).</summary>
    public required bool Markers { get; init; }
    /// <summary>
    /// Fault injection: the first engine of a run dies of a real SIGSEGV in native code as the update of this step
    /// (1-based) begins; 0 = never. For testing the supervisor (docs/native-crash.md).
    /// </summary>
    public required long SegfaultAtStep { get; init; }
    /// <summary>Fault injection: the learner waits this long before each update, as a slower one would (zero = never).</summary>
    public required TimeSpan UpdateDelay { get; init; }

    /// <summary>Reads and checks <c>r1.engine</c> of <paramref name="config"/>.</summary>
    /// <exception cref="ConfigException">A key is missing, unknown, of the wrong type or out of range.</exception>
    public static EngineSettings From(Config config)
    {
        var settings = HoconBinder.Bind<EngineSettings>(config, "r1.engine");
        if (settings.ShardCount <= 0) throw new ConfigException("r1.engine.shard-count must be positive");
        if (settings.TensorThreads is not (1 or 2)) throw new ConfigException($"r1.engine.tensor-threads is {settings.TensorThreads}; it must be 1 or 2");
        if (settings.SamplerSlots <= 0) throw new ConfigException("r1.engine.sampler-slots must be positive");
        if (settings.MaxBatchSamples <= 0) throw new ConfigException("r1.engine.max-batch-samples must be positive");
        if (settings.StepGatherTimeout < TimeSpan.Zero) throw new ConfigException("r1.engine.step-gather-timeout must not be negative");
        if (settings.UpdateDelay < TimeSpan.Zero) throw new ConfigException("r1.engine.update-delay must not be negative");
        if (settings.SnapshotEvery < 0) throw new ConfigException("r1.engine.snapshot-every must not be negative");
        return settings;
    }
}
