namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>How <see cref="Checkpoint.Save"/> writes a checkpoint.</summary>
public sealed record CheckpointSaveOptions
{
    /// <summary>The dtype floating-point tensors are stored as (null keeps each tensor's own dtype).</summary>
    public SafetensorsDType? DType { get; init; }

    /// <summary>Largest shard in data bytes; null writes a single <c>model.safetensors</c>.</summary>
    public long? MaxShardBytes { get; init; }

    /// <summary>
    /// Splits the weights into parts by tensor name (part 0 first), one safetensors shard per part with the index
    /// mapping every tensor to its part: how a learner whose experts live on expert shards writes each shard's experts
    /// as a file of its own. Null packs by <see cref="MaxShardBytes"/> instead.
    /// </summary>
    public Func<string, int>? PartOf { get; init; }

    /// <summary>Files copied into the checkpoint under their own names (tokenizer.json, generation_config.json, ...).</summary>
    public IReadOnlyList<string> ExtraFiles { get; init; } = [];

    /// <summary>Free-form facts recorded in the manifest (training step, policy version, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether an existing checkpoint under the same name is replaced (otherwise saving over one fails).</summary>
    public bool Overwrite { get; init; }
}
