using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// What one run is made of, read once from the merged configuration and validated: the run's own settings
/// (<c>r1.train</c>), GRPO's (<c>r1.grpo</c>), how rollouts are sampled (<c>r1.sampling</c>) and the seed every draw
/// derives from (<c>r1.seed</c>), and where a MoE policy's routed experts train (<c>r1.experts</c>). <c>r1 train</c>, <c>r1 node</c> and <c>r1 bench overhead</c> all start from it, so the
/// nodes of a cluster and a benchmark read a run's configuration the same way.
/// </summary>
/// <param name="Train">r1.train.</param>
/// <param name="Grpo">r1.grpo.</param>
/// <param name="Sampling">r1.sampling.</param>
/// <param name="Seed">r1.seed.</param>
internal sealed record RunSettings(TrainSettings Train, GrpoSettings Grpo, SamplingOptions Sampling, ulong Seed)
{
    /// <summary>r1.experts.</summary>
    public required ExpertSettings Experts { get; init; }

    /// <summary>r1.async.</summary>
    public required AsyncSettings Async { get; init; }

    /// <summary>The run's settings in <paramref name="config"/>; a value out of range is a <see cref="ConfigException"/> naming its key.</summary>
    public static RunSettings From(R1Config config)
    {
        var train = config.Bind<TrainSettings>("r1.train");
        if (train.Engine is not ("inline" or "actor")) throw new ConfigException($"r1.train.engine: '{train.Engine}' is not inline or actor");
        GrpoSettings grpo;
        try { grpo = config.Bind<GrpoSettings>("r1.grpo").Validate(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        ExpertSettings experts;
        try { experts = config.Bind<ExpertSettings>("r1.experts").Validate(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        AsyncSettings async;
        try { async = config.Bind<AsyncSettings>("r1.async").Validate(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        return new RunSettings(train, grpo, TrainCommand.SamplingSettings(config), (ulong)config.GetLong("r1.seed")) { Experts = experts, Async = async };
    }
}
