using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Pipeline;

/// <summary><c>r1.pipeline.plan</c>: which stages run, what they start from, and how each is evaluated.</summary>
public sealed record PipelinePlan
{
    /// <summary>The stages that run, in order (names from <see cref="PipelineStages.All"/>).</summary>
    public required IReadOnlyList<string> Stages { get; init; }
    /// <summary>The base model's checkpoint folder.</summary>
    public required string Base { get; init; }
    /// <summary>The reasoning task of the RL, sampling and evaluation stages.</summary>
    public required string Task { get; init; }
    /// <summary>Held-out questions per evaluation.</summary>
    public required int EvalLimit { get; init; }
    /// <summary>Samples per evaluated question.</summary>
    public required int EvalSamples { get; init; }
}

/// <summary><c>r1.pipeline.cold-start</c>.</summary>
public sealed record ColdStartStage
{
    /// <summary>Examples to generate.</summary>
    public required int Count { get; init; }
    /// <summary>Task and levels of the generated examples.</summary>
    public required string Task { get; init; }
    /// <summary>Share of the Chinese examples whose reasoning mixes in English.</summary>
    public required double MixedShare { get; init; }
    /// <summary>A JSONL file to use instead ("" = generate).</summary>
    public required string Data { get; init; }
    /// <summary>Settings of the stage's command, as key=value.</summary>
    public required IReadOnlyList<string> Set { get; init; }
}

/// <summary><c>r1.pipeline.reasoning-rl</c>, <c>reasoning-rl-no-language</c>, <c>alignment-rl</c> and <c>r1-zero</c>: a GRPO run.</summary>
public sealed record RlStage
{
    /// <summary>Settings of the stage's r1 train, as key=value.</summary>
    public required IReadOnlyList<string> Set { get; init; }
}

/// <summary><c>r1.pipeline.rejection-sampling</c>.</summary>
public sealed record SamplingStage
{
    /// <summary>Completions per question before the filters.</summary>
    public required int Samples { get; init; }
    /// <summary>Training questions sampled.</summary>
    public required int Limit { get; init; }
    /// <summary>Settings of the stage's r1 sample, as key=value.</summary>
    public required IReadOnlyList<string> Set { get; init; }
}

/// <summary><c>r1.pipeline.rejection-sft</c>.</summary>
public sealed record RejectionSftStage
{
    /// <summary>General (non-reasoning) prompt/completion pairs ("" = none).</summary>
    public required string GeneralData { get; init; }
    /// <summary>General examples per reasoning example.</summary>
    public required double GeneralRatio { get; init; }
    /// <summary>Settings of the stage's r1 sft, as key=value.</summary>
    public required IReadOnlyList<string> Set { get; init; }
}

/// <summary><c>r1.pipeline.distill</c>.</summary>
public sealed record DistillStage
{
    /// <summary>Teacher completions per question before the filters.</summary>
    public required int Samples { get; init; }
    /// <summary>Training questions the teacher answers.</summary>
    public required int Limit { get; init; }
    /// <summary>base, random or a checkpoint folder.</summary>
    public required string StudentInit { get; init; }
    /// <summary>Settings of the stage's r1 sample and r1 sft, as key=value.</summary>
    public required IReadOnlyList<string> Set { get; init; }
}

/// <summary>Everything under <c>r1.pipeline</c>, bound and checked.</summary>
public sealed record PipelineSettings(PipelinePlan Plan, ColdStartStage ColdStart, RlStage ReasoningRl, RlStage ReasoningRlNoLanguage, SamplingStage RejectionSampling,
    RejectionSftStage RejectionSft, RlStage AlignmentRl, DistillStage Distill, RlStage R1Zero)
{
    /// <summary>Binds <c>r1.pipeline</c> of <paramref name="config"/> and checks what can be checked without running anything.</summary>
    /// <exception cref="ConfigException">A value is out of range or a stage is unknown, named by its key.</exception>
    public static PipelineSettings From(R1Config config)
    {
        var settings = new PipelineSettings(
            config.Bind<PipelinePlan>("r1.pipeline.plan"), config.Bind<ColdStartStage>("r1.pipeline.cold-start"),
            config.Bind<RlStage>("r1.pipeline.reasoning-rl"), config.Bind<RlStage>("r1.pipeline.reasoning-rl-no-language"), config.Bind<SamplingStage>("r1.pipeline.rejection-sampling"),
            config.Bind<RejectionSftStage>("r1.pipeline.rejection-sft"), config.Bind<RlStage>("r1.pipeline.alignment-rl"),
            config.Bind<DistillStage>("r1.pipeline.distill"), config.Bind<RlStage>("r1.pipeline.r1-zero"));
        var plan = settings.Plan;
        if (plan.Stages.Count == 0) throw new ConfigException("r1.pipeline.plan.stages: no stage to run");
        foreach (var stage in plan.Stages)
            if (!PipelineStages.All.Contains(stage))
                throw new ConfigException($"r1.pipeline.plan.stages: '{stage}' is not a stage ({string.Join(", ", PipelineStages.All)})");
        if (plan.Stages.Distinct().Count() != plan.Stages.Count) throw new ConfigException("r1.pipeline.plan.stages: a stage is named twice");
        if (plan.EvalLimit < 1) throw new ConfigException($"r1.pipeline.plan.eval-limit: {plan.EvalLimit} is below 1");
        if (plan.EvalSamples < 1) throw new ConfigException($"r1.pipeline.plan.eval-samples: {plan.EvalSamples} is below 1");
        if (settings.ColdStart.Count < 1) throw new ConfigException($"r1.pipeline.cold-start.count: {settings.ColdStart.Count} is below 1");
        if (settings.ColdStart.MixedShare is < 0 or > 1) throw new ConfigException($"r1.pipeline.cold-start.mixed-share: {settings.ColdStart.MixedShare} is not within 0..1");
        foreach (var (key, samples, limit) in new[] { ("rejection-sampling", settings.RejectionSampling.Samples, settings.RejectionSampling.Limit), ("distill", settings.Distill.Samples, settings.Distill.Limit) })
        {
            if (samples < 1) throw new ConfigException($"r1.pipeline.{key}.samples: {samples} is below 1");
            if (limit < 1) throw new ConfigException($"r1.pipeline.{key}.limit: {limit} is below 1");
        }
        if (settings.RejectionSft.GeneralRatio is < 0 or > 10)
            throw new ConfigException($"r1.pipeline.rejection-sft.general-ratio: {settings.RejectionSft.GeneralRatio} is not within 0..10");
        return settings;
    }
}
