using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Rl.Optim;
using DeepSeekR1.Actors.Rl.Sft;
using TorchSharp.Modules;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// Where a killed <c>r1 sft --out DIR</c> continues: <c>DIR.resume/</c> holds the weights after step N, the optimizer
/// state, and <c>resume.json</c> with N and a fingerprint of the data file, the settings and the starting checkpoint.
/// A point whose fingerprint differs (other data, other settings) is not used, and says so. Each point is written
/// to a staging folder first and then put in place of the last, so a kill mid-write leaves the previous point whole;
/// the finished run deletes it.
/// </summary>
internal sealed class SftResumePoint(string outDir, string fingerprint)
{
    private const string StateFile = "resume.json", OptimizerFile = "optimizer.bin";

    /// <summary>The resume point's folder.</summary>
    public string Directory { get; } = outDir.TrimEnd(Path.DirectorySeparatorChar) + ".resume";

    /// <summary>A hash of what the run computes with: the data file's bytes, the settings, the starting checkpoint.</summary>
    public static string Fingerprint(string dataPath, SftSettings settings, string? init)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var data = File.OpenRead(dataPath)) hash.AppendData(SHA256.HashData(data));
        // Progress and resume cadence change nothing the run computes.
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(settings with { LogEvery = 1, ResumeEvery = 0 })));
        hash.AppendData(Encoding.UTF8.GetBytes(init is null ? "(fresh)" : Path.GetFullPath(init)));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The step to resume at (0: none to resume), after checking the point is this run's and whole.</summary>
    public long Step(TextWriter error)
    {
        string state = Path.Combine(Directory, StateFile);
        if (!File.Exists(state)) return 0;
        try
        {
            var saved = JsonSerializer.Deserialize<State>(File.ReadAllText(state));
            if (saved is null || saved.Fingerprint != fingerprint)
            {
                error.WriteLine($"sft: note: {Directory} is a resume point of other data or settings; starting over");
                return 0;
            }
            CheckpointManifest.Verify(Directory);
            return saved.Step;
        }
        catch (Exception e) when (e is JsonException or CheckpointException or IOException)
        {
            error.WriteLine($"sft: note: the resume point {Directory} cannot be used ({e.Message}); starting over");
            return 0;
        }
    }

    /// <summary>Loads the optimizer state saved with the point, and a bfloat16 model's float32 master weights.</summary>
    public void LoadOptimizer(OptimizerHelper optimizer, MasterWeights masters)
    {
        string path = Path.Combine(Directory, OptimizerFile);
        optimizer.load_state_dict(path);
        masters.LoadBeside(path);
    }

    /// <summary>Writes the point after <paramref name="step"/> steps in place of the last one.</summary>
    public void Save(PolicyModel model, OptimizerHelper optimizer, MasterWeights masters, long step)
    {
        string staging = Directory + ".staging";
        if (System.IO.Directory.Exists(staging)) System.IO.Directory.Delete(staging, recursive: true);
        PolicyCheckpoint.Save(model, staging, new CheckpointSaveOptions
        {
            DType = SafetensorsDType.F32, Overwrite = true,
            Metadata = new Dictionary<string, string> { ["stage"] = "sft-resume-point", ["step"] = step.ToString(CultureInfo.InvariantCulture) },
        });
        optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
        masters.SaveBeside(Path.Combine(staging, OptimizerFile));
        File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(new State(step, fingerprint)));
        Delete();
        System.IO.Directory.Move(staging, Directory);
    }

    /// <summary>Removes the point (the run finished).</summary>
    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    private sealed record State(long Step, string Fingerprint);
}
