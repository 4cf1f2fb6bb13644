using Akka.Configuration;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>The engine's own settings (HOCON section <c>r1.engine</c>, commented in <c>hocon/local.conf</c>).</summary>
/// <param name="ShardCount">Shards per entity kind; fixed for the life of a journal.</param>
/// <param name="SamplerSlots">Sampler slots, each holding a policy replica.</param>
/// <param name="MaxBatchSamples">Most outputs a sampler generates in one batch.</param>
/// <param name="BatchLinger">How long the work queue waits for more offers before handing out a batch.</param>
/// <param name="GroupResendInterval">How often a finished group re-sends itself until acknowledged.</param>
/// <param name="SnapshotEvery">Snapshot the run and the learner every N events (0 = never).</param>
/// <param name="Markers">Whether to report marker lines (sampling, update, checkpoint).</param>
/// <param name="SegfaultAtStep">Fault injection: the first engine of a run dies of a real SIGSEGV in native code as
/// the update of this step (1-based) begins; 0 = never. For testing the supervisor (docs/native-crash.md).</param>
public sealed record EngineSettings(int ShardCount, int SamplerSlots, int MaxBatchSamples, TimeSpan BatchLinger, TimeSpan GroupResendInterval, int SnapshotEvery, bool Markers, long SegfaultAtStep = 0)
{
    /// <summary>Reads <c>r1.engine</c> from <paramref name="config"/>.</summary>
    public static EngineSettings From(Config config)
    {
        var c = config.GetConfig("r1.engine") ?? throw new ArgumentException("configuration has no r1.engine section (hocon/local.conf)");
        var settings = new EngineSettings(
            c.GetInt("shard-count"), c.GetInt("sampler-slots"), c.GetInt("max-batch-samples"),
            c.GetTimeSpan("batch-linger"), c.GetTimeSpan("group-resend-interval"), c.GetInt("snapshot-every"), c.GetBoolean("markers"),
            c.GetLong("segfault-at-step"));
        if (settings.ShardCount <= 0) throw new ArgumentException("r1.engine.shard-count must be positive");
        if (settings.SamplerSlots <= 0) throw new ArgumentException("r1.engine.sampler-slots must be positive");
        if (settings.MaxBatchSamples <= 0) throw new ArgumentException("r1.engine.max-batch-samples must be positive");
        return settings;
    }
}
