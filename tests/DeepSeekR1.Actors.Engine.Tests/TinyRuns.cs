using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>A tiny run both engines can do in seconds: 2 steps, 2 prompts x 3 samples, a 2-layer model.</summary>
internal static class TinyRuns
{
    public static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();
    public static readonly GrpoSettings Grpo = GrpoSettings.Defaults with { Steps = 2, PromptsPerStep = 2, GroupSize = 3, LearningRate = 1e-3, FormatWeight = 1.0 };
    public static readonly SamplingOptions Sampling = SamplingOptions.Defaults with { MaxNewTokens = 12, Temperature = 1.0 };
    public const ulong Seed = 77;

    public static PolicyModel Policy() => new(ModelConfig.Defaults with {
        VocabSize = Tokenizer.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKvHeads = 1,
        MaxPositionEmbeddings = 256, EosTokenId = Tokenizer.EosId, PadTokenId = Tokenizer.PadId,
    }, seed: 1);

    /// <summary>The tiny shape with DeepSeek-style MoE MLPs in both layers: 4 routed experts (top-2) and a shared one.</summary>
    public static PolicyModel MoePolicy() => new(Policy().Config with
    {
        MoeLayers = [0, 1], NumRoutedExperts = 4, ExpertsPerToken = 2, NumSharedExperts = 1, MoeIntermediateSize = 16,
    }, seed: 1);

    public static EngineRun Run(string dataDir, string runId = "tiny") => new()
    {
        RunId = runId,
        RunDirectory = Path.Combine(dataDir, "runs", runId),
        Grpo = Grpo,
        Sampling = Sampling,
        Seed = Seed,
        Task = new ArithmeticTask(),
        Tokenizer = Tokenizer,
        Device = CPU,
        Dtype = ModelDtype.Float32,
        InitialPolicy = ColdStart.Policy,
    };

    /// <summary>
    /// Engine settings for tests: a short linger and resend so that nothing waits long; a generous default wait for
    /// test probes, since the first journal write (creating the tables) can take seconds on a busy machine.
    /// </summary>
    public static Config Overrides => ConfigurationFactory.ParseString("""
        r1.engine.batch-linger = 20ms
        r1.engine.group-resend-interval = 1s
        akka.test.single-expect-default = 20s
        """);
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("r1-engine-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }   // a file still held by a finishing process; the OS temp cleaner takes it
    }
}
