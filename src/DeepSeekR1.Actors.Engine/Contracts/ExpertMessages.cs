namespace DeepSeekR1.Actors.Engine.Contracts;

// The learner and its expert shards on other nodes (docs/experts.md). Every request names the run and the shard and is
// answered by one reply (or ExpertShardFailed); the learner waits for it with a deadline (r1.experts.call-timeout).

/// <summary>A tensor with its Hugging Face name (<c>model.layers.1.mlp.experts.2.up_proj.weight</c>).</summary>
/// <param name="Name">The name.</param>
/// <param name="Tensor">The tensor.</param>
public sealed record NamedTensor(string Name, TensorPayload Tensor);

/// <summary>Learner to shard: are you there, and where are you? Answered by <see cref="ExpertShardStatus"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
[ContractVersion(1)]
public sealed record ExpertShardHello(string RunId, int Shard) : IWireMessage;

/// <summary>Shard to learner: what it holds.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="LastUpdate">The last update it applied (0 before the first).</param>
/// <param name="Loaded">Whether it holds weights (false until the learner first sent them).</param>
/// <param name="ParameterBytes">Bytes of expert parameters it holds.</param>
/// <param name="Node">The node it runs on (its actor system's address).</param>
/// <param name="DataEndpoint">Where its node's data plane listens (<c>host:port</c>), or empty when forward and backward calls go through remoting.</param>
[ContractVersion(1)]
public sealed record ExpertShardStatus(string RunId, int Shard, long LastUpdate, bool Loaded, long ParameterBytes, string Node, string DataEndpoint) : IWireMessage;

/// <summary>Shard to learner: the request could not be carried out.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Reason">What went wrong.</param>
/// <param name="Lost">Whether the shard lost state the request needed (it restarted since): the learner's pass may be redone.</param>
[ContractVersion(1)]
public sealed record ExpertShardFailed(string RunId, int Shard, string Reason, bool Lost) : IWireMessage;

/// <summary>Learner to shard: take these weights for your experts and a fresh optimizer; your update count restarts at 0.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Weights">Every tensor of the shard's experts.</param>
[ContractVersion(1)]
public sealed record LoadExpertWeights(string RunId, int Shard, IReadOnlyList<NamedTensor> Weights) : IWireMessage, ICarriesTensors;

/// <summary>Learner to shard: take this optimizer state (a file the optimizer saved, as bytes).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="State">The saved state, a U8 tensor of the file's bytes.</param>
[ContractVersion(1)]
public sealed record LoadExpertOptimizer(string RunId, int Shard, TensorPayload State) : IWireMessage, ICarriesTensors;

/// <summary>Learner to shard: your weights and optimizer are those after update <paramref name="Update"/>; count on from there.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The update the state was saved after.</param>
[ContractVersion(1)]
public sealed record ResumeExpertShard(string RunId, int Shard, long Update) : IWireMessage;

/// <summary>Learner to shard: send your experts' weights. Answered by <see cref="ExpertWeights"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
[ContractVersion(1)]
public sealed record ExportExpertWeights(string RunId, int Shard) : IWireMessage;

/// <summary>Shard to learner: its experts' weights after <paramref name="Update"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The last update applied.</param>
/// <param name="Weights">Every tensor of its experts.</param>
[ContractVersion(1)]
public sealed record ExpertWeights(string RunId, int Shard, long Update, IReadOnlyList<NamedTensor> Weights) : IWireMessage, ICarriesTensors;

/// <summary>Learner to shard: send your optimizer state. Answered by <see cref="ExpertOptimizerState"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
[ContractVersion(1)]
public sealed record ExportExpertOptimizer(string RunId, int Shard) : IWireMessage;

/// <summary>Shard to learner: its optimizer state after <paramref name="Update"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The last update applied.</param>
/// <param name="State">The saved state, a U8 tensor of the file's bytes.</param>
[ContractVersion(1)]
public sealed record ExpertOptimizerState(string RunId, int Shard, long Update, TensorPayload State) : IWireMessage, ICarriesTensors;

/// <summary>Learner to shard: a pass begins; clear your gradients and forget calls recorded before. Answered by <see cref="ExpertShardStatus"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
[ContractVersion(1)]
public sealed record BeginExpertPass(string RunId, int Shard) : IWireMessage;

/// <summary>Learner to shard: one MoE layer's token rows for the shard's experts. Answered by <see cref="ExpertForwardDone"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Call">The call's number (the matching backward names it).</param>
/// <param name="Layer">The MoE layer.</param>
/// <param name="Experts">The expert of each token block.</param>
/// <param name="Tokens">The token blocks, [n_i, hidden] each.</param>
/// <param name="Record">Whether to keep the activations for a backward.</param>
[ContractVersion(1)]
public sealed record ExpertForwardCall(string RunId, int Shard, long Call, int Layer, IReadOnlyList<int> Experts, IReadOnlyList<TensorPayload> Tokens, bool Record)
    : IWireMessage, ICarriesTensors;

/// <summary>Shard to learner: the experts' outputs, one per token block, in the call's order.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Call">The call answered.</param>
/// <param name="Outputs">The outputs.</param>
[ContractVersion(1)]
public sealed record ExpertForwardDone(string RunId, int Shard, long Call, IReadOnlyList<TensorPayload> Outputs) : IWireMessage, ICarriesTensors;

/// <summary>Learner to shard: the gradients of a recorded call's outputs. Answered by <see cref="ExpertBackwardDone"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Call">The forward call.</param>
/// <param name="GradOutputs">One gradient per token block.</param>
[ContractVersion(1)]
public sealed record ExpertBackwardCall(string RunId, int Shard, long Call, IReadOnlyList<TensorPayload> GradOutputs) : IWireMessage, ICarriesTensors;

/// <summary>Shard to learner: the gradients of the call's token blocks (its parameters' gradients stay on the shard).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Call">The call answered.</param>
/// <param name="GradInputs">One gradient per token block.</param>
[ContractVersion(1)]
public sealed record ExpertBackwardDone(string RunId, int Shard, long Call, IReadOnlyList<TensorPayload> GradInputs) : IWireMessage, ICarriesTensors;

/// <summary>
/// Learner to shard: the backward of update <paramref name="Update"/> is over; keep your gradients as that update's,
/// on disk, and send your share of the squared gradient norm. Answered by <see cref="ExpertUpdatePrepared"/>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The update.</param>
[ContractVersion(1)]
public sealed record PrepareExpertUpdate(string RunId, int Shard, long Update) : IWireMessage;

/// <summary>Shard to learner: the update's gradients are kept; their squared norm.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The update.</param>
/// <param name="SquaredNorm">The sum of squared gradient entries.</param>
[ContractVersion(1)]
public sealed record ExpertUpdatePrepared(string RunId, int Shard, long Update, double SquaredNorm) : IWireMessage;

/// <summary>
/// Learner to shard: apply update <paramref name="Update"/> (its prepared gradients × <paramref name="GradScale"/>, an
/// AdamW step at <paramref name="LearningRate"/>), at most once. Answered by <see cref="ExpertUpdateDone"/>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The update.</param>
/// <param name="LearningRate">The learning rate.</param>
/// <param name="GradScale">The global-norm clip factor.</param>
[ContractVersion(1)]
public sealed record ApplyExpertUpdate(string RunId, int Shard, long Update, double LearningRate, double GradScale) : IWireMessage;

/// <summary>Shard to learner: the update is applied (now, or already before: <paramref name="AppliedNow"/> false).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The update.</param>
/// <param name="AppliedNow">Whether this request applied it (false: it was applied before; nothing changed).</param>
[ContractVersion(1)]
public sealed record ExpertUpdateDone(string RunId, int Shard, long Update, bool AppliedNow) : IWireMessage;

/// <summary>
/// Journaled by an expert shard once its state after update <paramref name="Update"/> is on disk: the update was
/// applied (or, for <see cref="Loaded"/>, the learner loaded this state). A replacement shard restores from the last one.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Update">The last update applied in the saved state.</param>
/// <param name="Weights">The snapshot's weights file (safetensors), relative to the shard's folder.</param>
/// <param name="WeightsSha256">Its SHA-256.</param>
/// <param name="Optimizer">The snapshot's optimizer file, relative to the shard's folder.</param>
/// <param name="OptimizerSha256">Its SHA-256.</param>
/// <param name="Loaded">True when the learner sent this state (a load or resume), false when the shard applied an update.</param>
[ContractVersion(1)]
public sealed record ExpertShardSaved(string RunId, int Shard, long Update, string Weights, string WeightsSha256, string Optimizer, string OptimizerSha256, bool Loaded)
    : IPersisted;
