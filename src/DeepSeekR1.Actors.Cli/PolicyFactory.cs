using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Tokenizers;
using static TorchSharp.torch;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli;

/// <summary>What a command needs to run a policy: the device and the tokenizer.</summary>
/// <param name="Device">Where tensors live (from r1.device).</param>
/// <param name="Tokenizer">The tokenizer named by r1.tokenizer.kind.</param>
public sealed record PolicyRuntime(Device Device, IPolicyTokenizer Tokenizer);

/// <summary>Builds tokenizers and policies from configuration.</summary>
public static class PolicyFactory
{
    /// <summary>Applies process-wide torch settings and resolves the device and tokenizer.</summary>
    public static PolicyRuntime Start(R1Config config)
    {
        TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
        Model.Kernels.KernelRuntime.Configure(Model.Kernels.KernelModes.Parse(config.GetString("r1.kernels.mode")));
        return new PolicyRuntime(TorchRuntime.ResolveDevice(config.GetString("r1.device")), CreateTokenizer(config.GetString("r1.tokenizer.kind")));
    }

    /// <summary>builtin | cl100k_base | o200k_base | a path to a Hugging Face tokenizer.json (or its folder).</summary>
    public static IPolicyTokenizer CreateTokenizer(string kind) => kind switch
    {
        "builtin" => BuiltinTokenizer.LoadEmbedded(),
        "cl100k_base" or "o200k_base" => TiktokenPolicyTokenizer.ForEncoding(kind),
        _ when Directory.Exists(kind) => HuggingFaceTokenizer.FromDirectory(kind),
        _ when File.Exists(kind) => HuggingFaceTokenizer.FromFile(kind),
        _ => throw new ConfigException($"r1.tokenizer.kind: '{kind}' is not builtin, cl100k_base, o200k_base, or an existing tokenizer.json"),
    };

    /// <summary>The model shape of r1.model, with ids left to the tokenizer (0 or -1) filled in from it.</summary>
    public static ModelConfig ModelConfigFor(R1Config config, IPolicyTokenizer tokenizer)
    {
        var model = config.Bind<ModelConfig>("r1.model");
        model = model with
        {
            VocabSize = model.VocabSize == 0 ? tokenizer.VocabSize : model.VocabSize,
            EosTokenId = model.EosTokenId < 0 ? tokenizer.EosId : model.EosTokenId,
            PadTokenId = model.PadTokenId < 0 ? tokenizer.PadId : model.PadTokenId,
            BosTokenId = model.BosTokenId < 0 ? tokenizer.BosId ?? -1 : model.BosTokenId,
        };
        if (model.VocabSize < tokenizer.VocabSize)
            throw new ConfigException($"r1.model.vocab-size ({model.VocabSize}) is smaller than the tokenizer's vocabulary ({tokenizer.VocabSize})");
        try { return model.Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.model.{e.ParamName}: {e.Message}"); }
    }

    /// <summary>
    /// A checkpoint the user names (<c>eval --checkpoint</c>, <c>r1.train.init</c>, <c>sft --init</c>), loaded the same
    /// way by every command: verified against its manifest when it has one (every checkpoint r1 writes does); a folder
    /// without one (a Hugging Face download) loads unverified, with a warning naming it. The checkpoints a run writes
    /// for itself are always verified (the engine loads them with <see cref="PolicyCheckpoint.Load"/> directly).
    /// </summary>
    public static PolicyModel LoadCheckpoint(string directory, Device device, TextWriter warnings, ModelDtype dtype)
    {
        bool verify = File.Exists(Path.Combine(directory, CheckpointManifest.FileName));
        if (!verify && Directory.Exists(directory))
            warnings.WriteLine($"r1: warning: {directory} has no {CheckpointManifest.FileName} (it was not written by r1): its weights are loaded unverified");
        var model = PolicyCheckpoint.Load(directory, device, verify, dtype);
        // A manifest proves the bytes are the ones written, not that they are numbers: NaN weights would sample token
        // -1 deep in the generator. One pass over the weights names the first tensor that is not finite.
        using (var scope = NewDisposeScope())
            foreach (var (name, parameter) in model.named_parameters())
                if (!isfinite(parameter).all().item<bool>())
                {
                    model.Dispose();
                    throw new CheckpointException(directory, $"tensor '{name}' holds NaN or infinite values: the checkpoint cannot be sampled from");
                }
        return model;
    }

    /// <summary>
    /// What r1.model.dtype asks policies to be held and computed in; a checkpoint loads into it whatever its files store
    /// (a value that is neither float32 nor bfloat16 is an error naming the key).
    /// </summary>
    public static ModelDtype DtypeOf(R1Config config) => config.Bind<ModelConfig>("r1.model").Dtype;

    /// <summary>A freshly initialised policy from r1.model and r1.seed.</summary>
    public static PolicyModel CreateRandom(R1Config config, PolicyRuntime runtime) =>
        new(ModelConfigFor(config, runtime.Tokenizer), runtime.Device, config.GetLong("r1.seed"));
}
