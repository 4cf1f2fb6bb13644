using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Pipeline;

/// <summary>
/// The stages of the DeepSeek-R1 recipe (paper, section 2.3) and of its comparisons, and what each needs from the
/// ones before it. A stage's starting checkpoint is the output of the first of its <see cref="StartsFrom"/> stages the
/// pipeline runs, else the base model: so leaving out cold start makes reasoning RL start from the base model.
/// </summary>
public static class PipelineStages
{
    /// <summary>The base model, evaluated: the first row of the report.</summary>
    public const string Base = "base";
    /// <summary>Stage 1: SFT of the base model on long, readable chains of thought.</summary>
    public const string ColdStart = "cold-start";
    /// <summary>Stage 2: GRPO with accuracy, format and language-consistency rewards.</summary>
    public const string ReasoningRl = "reasoning-rl";
    /// <summary>Stage 2's comparison: the same GRPO without the language-consistency reward.</summary>
    public const string ReasoningRlNoLanguage = "reasoning-rl-no-language";
    /// <summary>Stage 3, first half: the correct and readable completions of the stage-2 checkpoint.</summary>
    public const string RejectionSampling = "rejection-sampling";
    /// <summary>Stage 3, second half: SFT from the base model again on them (plus general data).</summary>
    public const string RejectionSft = "rejection-sft";
    /// <summary>Stage 4: a last GRPO stage over every prompt kind.</summary>
    public const string AlignmentRl = "alignment-rl";
    /// <summary>Distillation of the final model into a student by plain SFT.</summary>
    public const string Distill = "distill";
    /// <summary>The comparison row: GRPO straight from the base model (R1-Zero).</summary>
    public const string R1Zero = "r1-zero";

    /// <summary>Every stage, in the recipe's order.</summary>
    public static readonly IReadOnlyList<string> All = [Base, ColdStart, ReasoningRl, ReasoningRlNoLanguage, RejectionSampling, RejectionSft, AlignmentRl, Distill, R1Zero];

    /// <summary>Whether a stage's output is a checkpoint (every one but rejection sampling, whose output is a data file).</summary>
    public static bool MakesCheckpoint(string stage) => stage != RejectionSampling;

    /// <summary>Where <paramref name="stage"/> starts: the first of these stages that the pipeline runs, else the base model.</summary>
    public static IReadOnlyList<string> StartsFrom(string stage) => stage switch
    {
        ReasoningRl or ReasoningRlNoLanguage => [ColdStart],
        RejectionSampling => [ReasoningRl, ColdStart],
        AlignmentRl => [RejectionSft, ReasoningRl, ColdStart],
        Distill => [AlignmentRl, RejectionSft, ReasoningRl, ColdStart],
        _ => [],
    };

    /// <summary>The stage whose output <paramref name="stage"/> cannot do without (its data), or null.</summary>
    public static string? Needs(string stage) => stage == RejectionSft ? RejectionSampling : null;

    /// <summary>
    /// Refuses an order in which a stage would run before one it starts from or needs, or without one it needs,
    /// naming both and the key to change.
    /// </summary>
    /// <exception cref="ConfigException">The order is not one the recipe can run.</exception>
    public static void CheckOrder(IReadOnlyList<string> stages)
    {
        for (int i = 0; i < stages.Count; i++)
        {
            string stage = stages[i];
            if (Needs(stage) is { } needed && stages.Take(i).All(s => s != needed))
                throw new ConfigException($"r1.pipeline.plan.stages: '{stage}' needs the output of '{needed}', which must run before it");
            foreach (var source in StartsFrom(stage))
                if (stages.Skip(i + 1).Contains(source))
                    throw new ConfigException($"r1.pipeline.plan.stages: '{stage}' starts from '{source}', which must run before it");
        }
    }
}
