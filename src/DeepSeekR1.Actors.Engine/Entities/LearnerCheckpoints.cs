using System.Globalization;
using System.Security.Cryptography;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;
using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Training;
using TorchSharp.Modules;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// The learner's checkpoints on disk: writing one after a step (weights, optimizer state, manifest; staged so that a
/// failed write leaves nothing), its manifest's hash for the journal, restoring the policy, reference and optimizer
/// as they were after a given step, and deleting the versions nothing needs any more. The learner actor decides when;
/// this class knows how, and runs on the caller's thread (the tensor thread).
/// </summary>
/// <param name="run">The run whose folder holds the checkpoints.</param>
/// <param name="connectShards">How the learner reaches its expert shards when they are not in its process (null: in-process).</param>
internal sealed class LearnerCheckpoints(EngineRun run, ExpertShardConnector? connectShards = null)
{
    /// <summary>The optimizer state's file name inside a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.bin";

    private RunLayout Layout => run.Layout;

    /// <summary>Writes version 0 (the run's initial policy) unless a verified one is there already.</summary>
    public void EnsureInitial()
    {
        string initial = Layout.Checkpoint(0);
        if (IsVerified(initial)) return;
        using var fresh = run.InitialPolicy();
        PolicyCheckpoint.Save(fresh, initial, SaveOptions(0, optimizerState: null));
    }

    /// <summary>
    /// The policy and its learner as they were after <paramref name="stepsApplied"/> steps: the reference from the
    /// version it was last refreshed at, the weights and the optimizer state from the latest checkpoint.
    /// </summary>
    /// <param name="stepsApplied">Steps applied so far.</param>
    /// <param name="checkpointOf">The folder of a version (the journal's record of it).</param>
    public (PolicyModel Policy, GrpoLearner Learner) Restore(long stepsApplied, Func<long, string> checkpointOf)
    {
        // GrpoLearner copies its reference from the policy it is given: load the refresh's version first.
        long refreshedAt = new ReferencePolicySchedule(run.Grpo.ReferenceRefreshEvery).ReferenceVersion(stepsApplied);
        var policy = PolicyCheckpoint.Load(checkpointOf(refreshedAt), run.Device, dtype: run.Dtype);
        GrpoLearner? learner = null;
        try
        {
            learner = new GrpoLearner(policy, run.Grpo, run.Sampling.Temperature, run.Sampling.MaxNewTokens, run.Experts, connectShards, run.Async.MaxStaleness);
            if (stepsApplied > 0)
            {
                string latest = checkpointOf(stepsApplied);
                if (refreshedAt != stepsApplied)
                {
                    using var loaded = Checkpoint.Load(latest, verify: true);
                    learner.LoadWeights(loaded.Tensors, latest);
                }
                learner.LoadOptimizerState(Path.Combine(latest, OptimizerFile));
                learner.ResumeAt(stepsApplied);
            }
            return (policy, learner);
        }
        catch
        {
            learner?.Dispose();
            policy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes version <paramref name="version"/> of <paramref name="learner"/>'s model (its expert shards' experts included) with its optimizer state
    /// and returns its folder and the SHA-256 of its manifest. A write that fails (a full disk, a read-only folder)
    /// leaves no partial checkpoint and throws the <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public (string Directory, string ManifestSha256) Write(long version, GrpoLearner learner)
    {
        string directory = Layout.Checkpoint(version);
        // Staged outside the checkpoint folder: the save copies it in, and the manifest covers it.
        string staging = Layout.Staging;
        try
        {
            Directory.CreateDirectory(staging);
            // The learner's optimizer state and, beside it, each expert shard's part; the weights are the whole model
            // (the shards' experts included), an ordinary Hugging Face folder whoever reads it.
            var optimizerState = learner.SaveOptimizerState(Path.Combine(staging, OptimizerFile));
            PolicyCheckpoint.Save(learner.Config, learner.Weights(), directory, SaveOptions(version, optimizerState) with { PartOf = learner.CheckpointPartOf });
            Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(staging);
            TryDelete(directory);
            throw;
        }
        return (directory, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, CheckpointManifest.FileName)))));
    }

    /// <summary>
    /// Deletes the versions older than <paramref name="latest"/> that nothing needs (<see cref="CheckpointRetention"/>
    /// says which stay); a reference refresh can release a version long after it was written, so every one is looked at.
    /// </summary>
    /// <returns>The folders that could not be deleted, with why.</returns>
    public IReadOnlyList<(string Directory, string Reason)> Prune(long latest)
    {
        var failed = new List<(string, string)>();
        for (long version = 1; version < latest; version++)
        {
            string directory = Layout.Checkpoint(version);
            if (CheckpointRetention.Keeps(version, latest, run.Grpo, run.Async.MaxStaleness) || !Directory.Exists(directory)) continue;
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException e) { failed.Add((directory, e.Message)); }
        }
        return failed;
    }

    private CheckpointSaveOptions SaveOptions(long version, IReadOnlyList<string>? optimizerState) => new()
    {
        Overwrite = true,
        ExtraFiles = [.. run.CheckpointExtraFiles, .. optimizerState ?? []],
        Metadata = new Dictionary<string, string>
        {
            ["run"] = run.RunId,
            ["step"] = version.ToString(CultureInfo.InvariantCulture),
        },
    };

    private static bool IsVerified(string directory)
    {
        if (!File.Exists(Path.Combine(directory, CheckpointManifest.FileName))) return false;
        try { CheckpointManifest.Verify(directory); return true; }
        catch (CheckpointException) { return false; }
    }

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // best effort: the caller reports the failure
    }
}
