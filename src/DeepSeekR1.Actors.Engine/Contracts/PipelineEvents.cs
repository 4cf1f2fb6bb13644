namespace DeepSeekR1.Actors.Engine.Contracts;

// The journal of an R1 pipeline (r1 pipeline): the recipe's stages run one after another, each a command of its own
// (SFT, an RL run, rejection sampling, an evaluation), and the pipeline entity records which are done and what each
// produced, so that the same command resumes at the first unfinished stage and never redoes a finished one.

/// <summary>A pipeline was created: the stages it runs, in order, and the configuration they run with.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stages">The stage names, in the order they run.</param>
/// <param name="ConfigFingerprint">A hash of the configuration: a resume under another one is refused.</param>
/// <param name="ConfigText">The effective configuration (HOCON), kept for the record.</param>
[ContractVersion(1)]
public sealed record PipelineStarted(string PipelineId, IReadOnlyList<string> Stages, string ConfigFingerprint, string ConfigText) : IPersisted;

/// <summary>A stage began (or began again, after a crash or a failure: <paramref name="Attempt"/> counts from 1).</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stage">The stage's name.</param>
/// <param name="Attempt">Which start of this stage this is.</param>
[ContractVersion(1)]
public sealed record PipelineStageStarted(string PipelineId, string Stage, int Attempt) : IPersisted;

/// <summary>A figure a stage reports (an evaluation's pass@1, a filter's count), by name.</summary>
/// <param name="Name">snake_case name (<c>pass_at_1</c>, <c>kept</c>).</param>
/// <param name="Value">Its value.</param>
public sealed record PipelineFigure(string Name, double Value);

/// <summary>A stage finished: what it produced (a checkpoint folder or a data file) with its hash, and its figures.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stage">The stage's name.</param>
/// <param name="Output">The checkpoint folder or data file it produced.</param>
/// <param name="OutputSha256">SHA-256 of the checkpoint's manifest, or of the data file.</param>
/// <param name="Figures">Its figures, in the order it reported them.</param>
/// <param name="Seconds">Wall seconds of its last attempt.</param>
[ContractVersion(1)]
public sealed record PipelineStageCompleted(string PipelineId, string Stage, string Output, string OutputSha256, IReadOnlyList<PipelineFigure> Figures, double Seconds) : IPersisted;

/// <summary>A stage's command failed; the pipeline stops there, and the same command tries the stage again.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stage">The stage's name.</param>
/// <param name="Attempt">The attempt that failed.</param>
/// <param name="Reason">Why, as the command said it.</param>
[ContractVersion(1)]
public sealed record PipelineStageFailed(string PipelineId, string Stage, int Attempt, string Reason) : IPersisted;

/// <summary>Every stage finished.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stages">Stages completed.</param>
[ContractVersion(1)]
public sealed record PipelineFinished(string PipelineId, int Stages) : IPersisted;

/// <summary>The pipeline was paused (pbm <c>pipeline pause</c>): the stage in progress finishes, no new stage starts.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="StagesCompleted">Stages finished when it was paused.</param>
[ContractVersion(1)]
public sealed record PipelinePaused(string PipelineId, int StagesCompleted) : IPersisted;

/// <summary>A paused pipeline was resumed: its next stage may start.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="StagesCompleted">Stages finished when it was resumed.</param>
[ContractVersion(1)]
public sealed record PipelineResumed(string PipelineId, int StagesCompleted) : IPersisted;
