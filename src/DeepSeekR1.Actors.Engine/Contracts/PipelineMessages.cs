namespace DeepSeekR1.Actors.Engine.Contracts;

// What the pipeline command asks its pipeline entity, and the entity's answers. The command runs the stages; the
// entity decides whether a stage may start or end now and journals it.

/// <summary>Create the pipeline, or open it again; answered with <see cref="PipelineStatus"/> or <see cref="PipelineRefused"/>.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stages">Its stages, in order.</param>
/// <param name="ConfigFingerprint">A hash of the configuration; an existing pipeline opened under another one is refused.</param>
/// <param name="ConfigText">The effective configuration (HOCON).</param>
[ContractVersion(1)]
public sealed record OpenPipeline(string PipelineId, IReadOnlyList<string> Stages, string ConfigFingerprint, string ConfigText) : IWireMessage;

/// <summary>Start <paramref name="Stage"/>, which must be the pipeline's next unfinished stage.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stage">The stage.</param>
[ContractVersion(1)]
public sealed record BeginPipelineStage(string PipelineId, string Stage) : IWireMessage;

/// <summary>The stage in progress finished with this output and these figures.</summary>
/// <param name="Completed">What to journal.</param>
[ContractVersion(1)]
public sealed record CompletePipelineStage(PipelineStageCompleted Completed) : IWireMessage;

/// <summary>The stage in progress failed.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Reason">Why.</param>
[ContractVersion(1)]
public sealed record FailPipelineStage(string PipelineId, string Stage, string Reason) : IWireMessage;

/// <summary>Every stage is done: mark the pipeline finished.</summary>
/// <param name="PipelineId">The pipeline.</param>
[ContractVersion(1)]
public sealed record FinishPipeline(string PipelineId) : IWireMessage;

/// <summary>Ask for the pipeline's <see cref="PipelineStatus"/>.</summary>
/// <param name="PipelineId">The pipeline.</param>
[ContractVersion(1)]
public sealed record GetPipelineStatus(string PipelineId) : IWireMessage;

/// <summary>Where a pipeline stands.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="State">new, running, failed or finished.</param>
/// <param name="Stages">Its stages, in order (empty for a new pipeline).</param>
/// <param name="Completed">The finished stages, in the order they finished.</param>
/// <param name="Current">The stage in progress ("" when none).</param>
/// <param name="Attempt">The attempt of the stage in progress, or of the last one started.</param>
/// <param name="Failure">Why the last attempt failed ("" unless failed).</param>
[ContractVersion(1)]
public sealed record PipelineStatus(string PipelineId, string State, IReadOnlyList<string> Stages, IReadOnlyList<PipelineStageCompleted> Completed,
    string Current, int Attempt, string Failure) : IWireMessage;

/// <summary>The entity would not do what it was asked, and says why (a stage out of order, another configuration).</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Reason">Why.</param>
[ContractVersion(1)]
public sealed record PipelineRefused(string PipelineId, string Reason) : IWireMessage;

/// <summary>Pause the pipeline: the stage in progress finishes, no new stage starts until <see cref="ResumePipeline"/>.</summary>
/// <param name="PipelineId">The pipeline.</param>
[ContractVersion(1)]
public sealed record PausePipeline(string PipelineId) : IWireMessage;

/// <summary>Resume a paused pipeline.</summary>
/// <param name="PipelineId">The pipeline.</param>
[ContractVersion(1)]
public sealed record ResumePipeline(string PipelineId) : IWireMessage;
