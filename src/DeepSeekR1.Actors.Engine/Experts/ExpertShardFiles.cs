using System.Globalization;
using System.Security.Cryptography;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy.Moe;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Experts;

/// <summary>
/// An expert shard's folder (<c>{data-dir}/experts/{run}/shard-{s}</c>): snapshots of its weights (a bfloat16 shard's
/// float32 masters) and optimizer state (a safetensors file and the optimizer's own file, named by the journal sequence
/// number that records them), and the gradients of a prepared update not yet applied. Every file is written under a temporary name, flushed and renamed,
/// so a crash leaves either the whole file or none.
/// </summary>
internal sealed class ExpertShardFiles(string folder)
{
    /// <summary>The folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>Writes a snapshot of <paramref name="shard"/> for journal entry <paramref name="sequence"/>; returns the event that records it.</summary>
    public ExpertShardSaved Save(ExpertShard shard, string runId, long sequence, bool loaded)
    {
        Directory.CreateDirectory(Folder);
        string weights = string.Create(CultureInfo.InvariantCulture, $"weights-{sequence:D8}.safetensors");
        string optimizer = string.Create(CultureInfo.InvariantCulture, $"optimizer-{sequence:D8}.bin");
        // What the optimizer steps: a bfloat16 shard's float32 masters, so a replacement resumes them exactly (their
        // bfloat16 rounding alone would lose every update still below bfloat16 resolution).
        Staged(weights, tmp => SafetensorsWriter.Write(tmp, shard.NamedTrainable().Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter))));
        Staged(optimizer, tmp => shard.Optimizer.save_state_dict(tmp));
        return new ExpertShardSaved(runId, shard.Index, shard.LastUpdate, weights, Sha256(weights), optimizer, Sha256(optimizer), loaded);
    }

    /// <summary>
    /// Loads the snapshot <paramref name="saved"/> names into <paramref name="shard"/> (weights, optimizer state, update
    /// count) after checking both files' hashes; a missing or changed file is an error naming it.
    /// </summary>
    public void Load(ExpertShardSaved saved, ExpertShard shard)
    {
        Verify(saved.Weights, saved.WeightsSha256);
        Verify(saved.Optimizer, saved.OptimizerSha256);
        using (var scope = NewDisposeScope())
        {
            var tensors = SafetensorsReader.Read(Path.Combine(Folder, saved.Weights));
            shard.LoadFrom(tensors, Path.Combine(Folder, saved.Weights));
        }
        shard.Optimizer.load_state_dict(Path.Combine(Folder, saved.Optimizer));
        shard.ResumeAt(saved.Update);
    }

    /// <summary>Deletes snapshots other than <paramref name="keep"/>'s, and gradients of updates at or before it.</summary>
    public void Prune(ExpertShardSaved keep)
    {
        foreach (string file in Directory.EnumerateFiles(Folder))
        {
            string name = Path.GetFileName(file);
            bool snapshot = name.StartsWith("weights-", StringComparison.Ordinal) || name.StartsWith("optimizer-", StringComparison.Ordinal);
            if (snapshot && name != keep.Weights && name != keep.Optimizer) File.Delete(file);
            if (GradientsUpdate(name) is long update && update <= keep.Update) File.Delete(file);
        }
    }

    /// <summary>Writes the gradients <paramref name="shard"/> holds as those of update <paramref name="update"/> (parameters without one are left out).</summary>
    public void SaveGradients(ExpertShard shard, long update)
    {
        Directory.CreateDirectory(Folder);
        var grads = shard.NamedParameters().Where(p => p.Parameter.grad is not null)
            .Select(p => KeyValuePair.Create(p.Name, p.Parameter.grad!)).ToArray();
        Staged(GradientsFile(update), tmp => SafetensorsWriter.Write(tmp, grads));
    }

    /// <summary>
    /// Puts the gradients saved for update <paramref name="update"/> back on <paramref name="shard"/>'s parameters (one
    /// saved without a gradient keeps none, as AdamW then skips it); false when none were saved.
    /// </summary>
    public bool LoadGradients(ExpertShard shard, long update)
    {
        string path = Path.Combine(Folder, GradientsFile(update));
        if (!File.Exists(path)) return false;
        using var scope = NewDisposeScope();
        var saved = SafetensorsReader.Read(path);
        shard.ZeroGrad();
        foreach (var (name, p) in shard.NamedParameters())
        {
            if (!saved.TryGetValue(name, out var grad)) continue;
            // d/dp sum(p * g) is exactly g: the one way to give a parameter a gradient it may not have yet.
            using var enable = enable_grad();
            (p * grad.to(p.dtype).to(p.device)).sum().backward();
        }
        return true;
    }

    private static string GradientsFile(long update) => string.Create(CultureInfo.InvariantCulture, $"gradients-{update:D12}.safetensors");

    private static long? GradientsUpdate(string name) =>
        name.StartsWith("gradients-", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal)
        && long.TryParse(name["gradients-".Length..^".safetensors".Length], NumberStyles.None, CultureInfo.InvariantCulture, out long u) ? u : null;

    private void Staged(string name, Action<string> write)
    {
        string final = Path.Combine(Folder, name);
        string tmp = final + ".tmp";
        write(tmp);
        File.Move(tmp, final, overwrite: true);
    }

    private string Sha256(string name)
    {
        using var stream = File.OpenRead(Path.Combine(Folder, name));
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private void Verify(string name, string sha256)
    {
        string path = Path.Combine(Folder, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: the expert shard's snapshot file is missing (the journal names it)", path);
        if (Sha256(name) != sha256) throw new InvalidDataException($"{path}: the expert shard's snapshot file changed since it was journaled (SHA-256 differs)");
    }
}
