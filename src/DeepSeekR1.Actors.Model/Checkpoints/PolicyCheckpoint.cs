using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Checkpoints;

/// <summary>
/// Saves a <see cref="PolicyModel"/> as a Hugging Face-style checkpoint folder and loads one back into a model,
/// matching tensors by name and shape. A real Qwen2.5 / R1-Distill-Qwen / Llama folder loads the same way
/// (with <c>verify: false</c> when it has no manifest of ours).
/// </summary>
public static class PolicyCheckpoint
{
    /// <summary>Writes the model's weights, config.json, any extra files (tokenizer.json) and the manifest.</summary>
    public static string Save(PolicyModel model, string directory, CheckpointSaveOptions? options = null)
    {
        using var scope = NewDisposeScope();
        // Copy to the CPU for writing; the model may live on a GPU.
        return Save(model.Config, model.state_dict(), directory, options);
    }

    /// <summary>
    /// Writes a model given as its tensors by name (a policy whose routed experts live on expert shards, joined with
    /// the shards' tensors) as the same folder <see cref="Save(PolicyModel, string, CheckpointSaveOptions?)"/> writes.
    /// </summary>
    public static string Save(ModelConfig config, IEnumerable<KeyValuePair<string, Tensor>> weights, string directory, CheckpointSaveOptions? options = null)
    {
        using var scope = NewDisposeScope();
        // Copy to the CPU for writing; the model may live on a GPU.
        var tensors = weights.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.detach().cpu())).ToList();
        var duplicate = tensors.GroupBy(kv => kv.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"tensor '{duplicate.Key}' is given twice", nameof(weights));
        return Checkpoint.Save(directory, config, tensors, options);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="directory"/> into a new model on <paramref name="device"/>. Every
    /// parameter and buffer of the model must be in the files with the same shape; tensors the model does not have
    /// are an error too, except rotary tables some exporters include. Names the first mismatch. The model is held in
    /// <paramref name="dtype"/> (the run's <c>r1.model.dtype</c>), whatever dtype the files store: bfloat16 tensors go
    /// into bfloat16 parameters as they are, with no float32 copy in between.
    /// </summary>
    public static PolicyModel Load(string directory, Device? device = null, bool verify = true, ModelDtype dtype = ModelDtype.Float32)
    {
        using var loaded = Checkpoint.Load(directory, verify);
        var model = new PolicyModel(loaded.Config with { Dtype = dtype });
        try
        {
            CopyInto(model, loaded.Tensors, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (device is not null) model.MoveTo(device);
        return model;
    }

    /// <summary>
    /// For DeepSeek-V3's per-layer copies of shared weights in a multi-token prediction layer
    /// (<c>model.layers.{i}.embed_tokens.weight</c>, <c>model.layers.{i}.shared_head.head.weight</c>, i &gt;= num-layers),
    /// the name of the model's own tensor they copy; null for any other name.
    /// </summary>
    private static string? SharedByMtp(PolicyModel model, string name) =>
        MtpSharedCopies.Names(model.Config).FirstOrDefault(n => n.Copy == name).Original;

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="model"/> by name, checking coverage and shapes.</summary>
    public static void CopyInto(PolicyModel model, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var state = model.state_dict();
        foreach (var name in tensors.Keys)
        {
            if (state.ContainsKey(name) || name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)) continue;
            if (name == "lm_head.weight" && model.Config.TieWordEmbeddings) continue;   // some exporters write the tied copy
            if (SharedByMtp(model, name) is { } original)
            {
                // DeepSeek-V3's files repeat the embedding and the output head in every multi-token prediction layer; the
                // modules share the model's own, so a copy that differs would be a different model: refused, not dropped.
                if (!tensors.TryGetValue(original, out var own) || !own.shape.SequenceEqual(tensors[name].shape) || !own.allclose(tensors[name], rtol: 0, atol: 0))
                    throw new CheckpointException(source, $"tensor '{name}' differs from '{original}', which the multi-token prediction modules share");
                continue;
            }
            throw new CheckpointException(source, $"tensor '{name}' does not belong to a model of this config");
        }
        // The dtype conversions are temporaries: this scope frees them here, not the finalizer later (docs/native-crash.md).
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, target) in state)
        {
            if (!tensors.TryGetValue(name, out var stored))
                throw new CheckpointException(source, $"tensor '{name}' is missing");
            if (!stored.shape.SequenceEqual(target.shape))
                throw new CheckpointException(source,
                    $"tensor '{name}' has shape [{string.Join(", ", stored.shape)}], the model expects [{string.Join(", ", target.shape)}]");
            // Same dtype: copied as stored (no conversion); otherwise converted once, straight to the target's dtype.
            target.copy_(stored.dtype == target.dtype ? stored : stored.to(target.dtype));
        }
    }
}
