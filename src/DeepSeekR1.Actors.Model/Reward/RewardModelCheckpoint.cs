using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Model.Reward;

/// <summary>
/// Saves a <see cref="RewardModel"/> as a checkpoint folder (the backbone's tensors under the policy's names plus
/// <c>score.weight</c> and <c>score.bias</c>, a manifest recording <c>reward_model</c> = its kind) and loads one back.
/// A reward-model folder is not a policy: <see cref="PolicyCheckpoint.Load"/> refuses it by the head's name, and this
/// loader refuses a policy folder because its manifest names no kind.
/// </summary>
public static class RewardModelCheckpoint
{
    /// <summary>Manifest key holding the kind ("helpfulness" or "safety").</summary>
    public const string KindKey = "reward_model";

    /// <summary>Name of the head's weight in the files.</summary>
    public const string HeadWeight = "score.weight";

    /// <summary>Name of the head's bias in the files.</summary>
    public const string HeadBias = "score.bias";

    /// <summary>The manifest spelling of a kind.</summary>
    public static string KindName(RewardModelKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>
    /// Writes the model to <paramref name="directory"/>; <paramref name="options"/>' metadata gains the kind under
    /// <see cref="KindKey"/>.
    /// </summary>
    public static string Save(RewardModel model, string directory, CheckpointSaveOptions? options = null)
    {
        options ??= new CheckpointSaveOptions();
        var metadata = new Dictionary<string, string>(options.Metadata) { [KindKey] = KindName(model.Kind) };
        using var scope = NewDisposeScope();
        var tensors = model.Backbone.state_dict()
            .Append(KeyValuePair.Create(HeadWeight, model.Head.weight!.detach()))
            .Append(KeyValuePair.Create(HeadBias, model.Head.bias!.detach()));
        return PolicyCheckpoint.Save(model.Config, tensors, directory, options with { Metadata = metadata });
    }

    /// <summary>True when <paramref name="directory"/> holds a reward model (its manifest names a kind).</summary>
    public static bool IsRewardModel(string directory)
    {
        if (!File.Exists(Path.Combine(directory, CheckpointManifest.FileName))) return false;
        return CheckpointManifest.Read(directory).Metadata.ContainsKey(KindKey);
    }

    /// <summary>
    /// Loads the reward model at <paramref name="directory"/> (manifest verified) onto <paramref name="device"/>, its
    /// transformer held in <paramref name="dtype"/> (the run's <c>r1.model.dtype</c>); the scalar head stays float32.
    /// </summary>
    /// <exception cref="CheckpointException">The folder is damaged, is not a reward model, or lacks the head.</exception>
    public static RewardModel Load(string directory, Device? device = null, ModelDtype dtype = ModelDtype.Float32)
    {
        using var loaded = Checkpoint.Load(directory, verify: true);
        if (!loaded.Metadata.TryGetValue(KindKey, out var kindName))
            throw new CheckpointException(directory, $"is not a reward model: its manifest has no '{KindKey}' entry (a policy checkpoint?)");
        var kind = Enum.GetValues<RewardModelKind>().FirstOrDefault(k => KindName(k) == kindName, (RewardModelKind)(-1));
        if (!Enum.IsDefined(kind))
            throw new CheckpointException(directory, $"manifest '{KindKey}' is '{kindName}', not helpfulness or safety");
        foreach (var name in new[] { HeadWeight, HeadBias })
            if (!loaded.Tensors.ContainsKey(name)) throw new CheckpointException(directory, $"tensor '{name}' (the reward head) is missing");
        var head = new Dictionary<string, Tensor>
        {
            [HeadWeight] = loaded.Tensors[HeadWeight],
            [HeadBias] = loaded.Tensors[HeadBias],
        };
        var rest = loaded.Tensors.Where(kv => !head.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var backbone = new PolicyModel(loaded.Config with { Dtype = dtype });
        RewardModel model;
        try
        {
            PolicyCheckpoint.CopyInto(backbone, rest, directory);
            model = new RewardModel(backbone, kind);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var weight = head[HeadWeight];
            if (!weight.shape.SequenceEqual(model.Head.weight!.shape) || head[HeadBias].numel() != 1)
            {
                model.Dispose();
                throw new CheckpointException(directory,
                    $"reward head has shape [{string.Join(", ", weight.shape)}], the model expects [1, {loaded.Config.HiddenSize}]");
            }
            model.Head.weight!.copy_(weight.to(model.Head.weight!.dtype));
            model.Head.bias!.copy_(head[HeadBias].reshape(1).to(model.Head.bias!.dtype));
        }
        if (device is not null && device.type != TorchSharp.DeviceType.CPU) model.MoveTo(device);
        return model;
    }
}
