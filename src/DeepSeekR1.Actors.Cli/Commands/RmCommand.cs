using System.CommandLine;
using System.Globalization;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.RewardModels;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 rm train --kind helpfulness|safety --data FILE.jsonl --init CHECKPOINT --out DIR</c>: trains one of the two
/// reward models of DeepSeek-R1's alignment stage on the policy's transformer (docs/reward-models.md) and reports the
/// held-out accuracy.
/// </summary>
public static class RmCommand
{
    private static readonly Option<string> Kind = new("--kind") { Description = "helpfulness (preference pairs, Bradley-Terry) or safety (point-wise safe/unsafe labels)", Required = true };
    private static readonly Option<string> Data = new("--data") { Description = "JSONL: {prompt, chosen, rejected} for helpfulness, {prompt, response, label} for safety", Required = true };
    private static readonly Option<string> Init = new("--init") { Description = "Policy checkpoint whose transformer the reward model starts from", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "Folder the reward model is written to", Required = true };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var train = new Command("train", "Train a helpfulness or safety reward model and report its held-out accuracy") { Kind, Data, Init, Out };
        train.WithConfigOptions();
        train.SetAction(parse => Model.TensorKeepAlive.Run(() => Train(parse)));
        return new Command("rm", "Reward models for general prompts") { train };
    }

    private static int Train(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        RewardModelSettings settings;
        try { settings = config.Bind<RewardModelSettings>("r1.rm").Validate(); }
        catch (ArgumentException e) { throw new ConfigException($"r1.rm.{e.ParamName}: {e.Message}"); }
        var kind = parse.GetValue(Kind) switch
        {
            "helpfulness" => RewardModelKind.Helpfulness,
            "safety" => RewardModelKind.Safety,
            var other => throw new ConfigException($"--kind: '{other}' is not helpfulness or safety"),
        };
        string dataPath = parse.GetValue(Data)!, init = parse.GetValue(Init)!;
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"{dataPath}: file not found", dataPath);

        // Read and check the whole file before any model work, so a bad line costs nothing but the message (exit 2).
        var pairs = kind == RewardModelKind.Helpfulness ? RewardJsonl.ReadPreferences(dataPath).ToList() : [];
        var labels = kind == RewardModelKind.Safety ? RewardJsonl.ReadSafety(dataPath).ToList() : [];
        if (pairs.Count + labels.Count == 0) throw new Rl.Data.DatasetFormatException(dataPath, 0, null, "no examples");

        Model.TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
        var device = Model.TorchRuntime.ResolveDevice(config.GetString("r1.device"));
        var tokenizer = File.Exists(Path.Combine(init, "tokenizer.json"))
            ? PolicyFactory.CreateTokenizer(init)
            : PolicyFactory.CreateTokenizer(config.GetString("r1.tokenizer.kind"));
        // In the run's dtype: a bfloat16 backbone trains through float32 masters, the head stays float32 (RewardModel).
        using var model = new RewardModel(PolicyFactory.LoadCheckpoint(init, device, error, PolicyFactory.DtypeOf(config)), kind);
        int maxLen = Math.Min(settings.MaxSeqLen, model.Config.ContextLength);

        RewardTrainingResult result;
        double accuracy;
        int trainCount, heldCount;
        if (kind == RewardModelKind.Helpfulness)
        {
            var (train, held) = HeldOutSplit.Split(pairs, p => p.Prompt, settings.HeldOutShare, settings.Seed);
            EncodedPair Encode(PreferencePair p) => new(RewardModelInput.Encode(tokenizer, p.Prompt, p.Chosen, maxLen),
                RewardModelInput.Encode(tokenizer, p.Prompt, p.Rejected, maxLen));
            (trainCount, heldCount) = (train.Count, held.Count);
            if (trainCount == 0) throw new Rl.Data.DatasetFormatException(dataPath, 0, null, "every prompt fell into the held-out split (lower r1.rm.held-out-share)");
            output.WriteLine($"rm: helpfulness on {train.Count} pairs ({held.Count} held out), {RewardModelTrainer.TotalSteps(settings, train.Count)} steps, from {init}");
            result = RewardModelTrainer.TrainPreferences(model, train.Select(Encode).ToList(), settings, p => output.WriteLine(Describe(p, "pair-acc")));
            accuracy = RewardModelTrainer.PairwiseAccuracy(model, held.Select(Encode).ToList(), settings.BatchSize);
        }
        else
        {
            var (train, held) = HeldOutSplit.Split(labels, s => s.Prompt, settings.HeldOutShare, settings.Seed);
            EncodedLabel Encode(SafetyExample s) => new(RewardModelInput.Encode(tokenizer, s.Prompt, s.Response, maxLen), s.Safe);
            (trainCount, heldCount) = (train.Count, held.Count);
            if (trainCount == 0) throw new Rl.Data.DatasetFormatException(dataPath, 0, null, "every prompt fell into the held-out split (lower r1.rm.held-out-share)");
            output.WriteLine($"rm: safety on {train.Count} labelled responses ({held.Count} held out), {RewardModelTrainer.TotalSteps(settings, train.Count)} steps, from {init}");
            result = RewardModelTrainer.TrainSafety(model, train.Select(Encode).ToList(), settings, p => output.WriteLine(Describe(p, "acc")));
            accuracy = RewardModelTrainer.ClassificationAccuracy(model, held.Select(Encode).ToList(), settings.BatchSize);
        }

        string measure = kind == RewardModelKind.Helpfulness ? "pairwise accuracy" : "classification accuracy";
        string heldText = double.IsNaN(accuracy) ? "n/a (nothing held out)" : accuracy.ToString("F3", CultureInfo.InvariantCulture);
        var saved = Save(model, parse.GetValue(Out)!, init, new Dictionary<string, string>
        {
            ["stage"] = "rm",
            ["data"] = Path.GetFileName(dataPath),
            ["steps"] = result.Steps.ToString(CultureInfo.InvariantCulture),
            ["final_loss"] = result.FinalLoss.ToString("G6", CultureInfo.InvariantCulture),
            ["held_out"] = heldCount.ToString(CultureInfo.InvariantCulture),
            ["held_out_accuracy"] = double.IsNaN(accuracy) ? "" : accuracy.ToString("G6", CultureInfo.InvariantCulture),
        }, tokenizer);
        output.WriteLine($"rm: loss {result.FirstLoss:F4} -> {result.FinalLoss:F4} in {result.Seconds:F1} s; held-out {measure} {heldText} on {heldCount}; saved {saved}");
        return 0;
    }

    private static string Describe(RewardProgress p, string accuracyName) => string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {accuracyName} {p.Accuracy:F3} lr {p.LearningRate:G3}");

    // The tokenizer files travel with the weights, as SFT's checkpoints do, so r1 serve and r1 safety eval find them.
    private static string Save(RewardModel model, string directory, string init, Dictionary<string, string> metadata, IPolicyTokenizer tokenizer)
    {
        string staging = Path.Combine(Path.GetTempPath(), "r1-rm-tokenizer-" + Guid.NewGuid().ToString("N"));
        try
        {
            var extra = new List<string>();
            if (File.Exists(Path.Combine(init, "tokenizer.json")))
                extra.AddRange(new[] { "tokenizer.json", "tokenizer_config.json" }.Select(f => Path.Combine(init, f)).Where(File.Exists));
            else if (tokenizer is BuiltinTokenizer builtin)
            {
                builtin.Save(staging);
                extra.AddRange([Path.Combine(staging, "tokenizer.json"), Path.Combine(staging, "tokenizer_config.json")]);
            }
            return RewardModelCheckpoint.Save(model, Path.GetFullPath(directory),
                new CheckpointSaveOptions { DType = SafetensorsDType.F32, ExtraFiles = extra, Metadata = metadata, Overwrite = true });
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }
}
