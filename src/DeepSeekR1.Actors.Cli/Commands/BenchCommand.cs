using System.CommandLine;
using System.Text.Json;
using DeepSeekR1.Actors.Cli.Bench;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 bench generate|learner|overhead|experts|attention|dtype|async|speculative|logprobs</c>: throughput figures as one JSON line each.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Measure throughput; each prints one JSON line");

        var generate = new Command("generate", "Rollout tokens/s with the KV cache vs full recompute, and the fraction of the matmul roofline").WithConfigOptions();
        generate.SetAction(parse => Run(parse, (model, settings) =>
            GenerateBenchmark.Run(model, settings, TrainCommand.SamplingSettings(CommonOptions.Load(parse)))));
        bench.Subcommands.Add(generate);

        var learner = new Command("learner", "Forward+backward tokens/s of the learner step and its MFU against the measured matmul peak").WithConfigOptions();
        learner.SetAction(parse => Run(parse, (model, settings) => LearnerBenchmark.Run(model, settings)));
        bench.Subcommands.Add(learner);

        var overhead = new Command("overhead", "Seconds per GRPO step on the actor engine vs the inline loop, same run, and their ratio").WithConfigOptions();
        overhead.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            var runtime = PolicyFactory.Start(config);
            var result = Task.Run(() => OverheadBenchmark.Run(config, runtime, config.Bind<BenchSettings>("r1.bench"))).GetAwaiter().GetResult();
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        });
        bench.Subcommands.Add(overhead);

        var experts = new Command("experts",
            "Seconds per learner step with the routed experts in their layers vs on in-process expert shards, their ratio, wire bytes per token and the largest gradient difference (a MoE policy: hocon/model-tiny-moe.conf unless --config gives one)").WithConfigOptions();
        experts.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse, configWhenNone: Rl.Data.RepositoryPaths.Resolve("hocon/model-tiny-moe.conf"));
            var runtime = PolicyFactory.Start(config);
            var result = ExpertsBenchmark.Run(config, runtime, config.Bind<BenchSettings>("r1.bench"));
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        }));
        bench.Subcommands.Add(experts);

        var attention = new Command("attention",
            "Rollout tokens/s with multi-head latent attention vs grouped-query attention of the same width, and their KV cache bytes (hocon/model-tiny-mla.conf unless --config gives one)").WithConfigOptions();
        attention.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse, configWhenNone: Rl.Data.RepositoryPaths.Resolve("hocon/model-tiny-mla.conf"));
            var runtime = PolicyFactory.Start(config);
            var result = AttentionBenchmark.Run(config, runtime, config.Bind<BenchSettings>("r1.bench"), TrainCommand.SamplingSettings(config));
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        }));
        bench.Subcommands.Add(attention);

        var dtype = new Command("dtype",
            "bfloat16 vs float32 on the same weights (r1.model.dtype): parameter bytes, logit differences, greedy-decode agreement, expert-choice agreement (a MoE shape: --config hocon/model-tiny-moe.conf), forward, forward+backward and decode speed ratios").WithConfigOptions();
        dtype.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse);
            var runtime = PolicyFactory.Start(config);
            var result = DtypeBenchmark.Run(config, runtime, config.Bind<BenchSettings>("r1.bench"), TrainCommand.SamplingSettings(config));
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        }));
        bench.Subcommands.Add(dtype);

        var async = new Command("async",
            "Steps per minute and held-out pass@1 of the same training, synchronous and with asynchronous rollouts (r1.bench.async-modes), their speedup, staleness and idle shares").WithConfigOptions();
        async.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            var shared = new List<string>();
            if (parse.GetValue(CommonOptions.Config) is { } file) shared.AddRange(["--config", file]);
            foreach (var set in parse.GetValue(CommonOptions.Set) ?? []) shared.AddRange(["--set", set]);
            var result = AsyncBenchmark.Run(config.Bind<BenchSettings>("r1.bench"), shared, parse.InvocationConfiguration.Error);
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        });
        bench.Subcommands.Add(async);

        var speculative = new Command("speculative",
            "Tokens/s of speculative decoding with the multi-token prediction module drafting vs plain decoding, greedy and sampled, their ratio and the drafts' acceptance rate (r1.bench.speculative-checkpoint)").WithConfigOptions();
        speculative.SetAction(parse => Model.TensorKeepAlive.Run(() =>
        {
            var config = CommonOptions.Load(parse);
            var runtime = PolicyFactory.Start(config);
            var settings = config.Bind<BenchSettings>("r1.bench");
            string checkpoint = settings.SpeculativeCheckpoint;
            using var model = checkpoint.Length == 0
                ? PolicyFactory.CreateRandom(config, runtime)
                : PolicyFactory.LoadCheckpoint(Rl.Data.RepositoryPaths.Resolve(checkpoint)
                    ?? throw new DeepSeekR1.Actors.Configuration.ConfigException($"r1.bench.speculative-checkpoint: checkpoint folder '{checkpoint}' does not exist"),
                    runtime.Device, parse.InvocationConfiguration.Error, PolicyFactory.DtypeOf(config));
            var result = SpeculativeBenchmark.Run(model, runtime.Tokenizer, settings, TrainCommand.SamplingSettings(config), checkpoint);
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        }));
        bench.Subcommands.Add(speculative);

        var logprobs = new Command("logprobs",
            "Peak memory and seconds of the learner's log-probs + entropy (forward+backward) through the fused kernel vs the TorchSharp path, their ratios and the largest difference, one line per r1.bench.logprobs-vocab x logprobs-tokens").WithConfigOptions();
        logprobs.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            PolicyFactory.Start(config);
            LogProbsBenchmark.Run(config.Bind<BenchSettings>("r1.bench"), SharedArguments(parse), Console.Out);
            return 0;
        });
        bench.Subcommands.Add(logprobs);

        // One measurement of `bench logprobs` in a process of its own (its peak memory is the measurement).
        var child = new Command("logprobs-child", "One measurement of r1 bench logprobs (started by it)") { Hidden = true };
        var path = new Option<string>("--path") { Required = true };
        var vocab = new Option<long>("--vocab") { Required = true };
        var hidden = new Option<long>("--hidden") { Required = true };
        var tokens = new Option<long>("--tokens") { Required = true };
        var outDir = new Option<string>("--out") { Required = true };
        foreach (var option in new Option[] { path, vocab, hidden, tokens, outDir }) child.Options.Add(option);
        child.WithConfigOptions();
        child.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            Model.TorchRuntime.SetThreads(config.GetInt("r1.torch-threads"));
            var result = LogProbsMeasurement.Run(parse.GetValue(path)!, parse.GetValue(vocab), parse.GetValue(hidden),
                parse.GetValue(tokens), 1.0, parse.GetValue(outDir)!);
            Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
            return 0;
        });
        bench.Subcommands.Add(child);
        return bench;
    }

    // The --config and --set arguments of this command line, for child processes that must read the same configuration.
    private static List<string> SharedArguments(ParseResult parse)
    {
        var shared = new List<string>();
        if (parse.GetValue(CommonOptions.Config) is { } file) shared.AddRange(["--config", file]);
        foreach (var set in parse.GetValue(CommonOptions.Set) ?? []) shared.AddRange(["--set", set]);
        return shared;
    }

    // Under a keep-alive scope, as every command's tensor work (Model.TensorKeepAlive says why).
    private static int Run(ParseResult parse, Func<Model.Policy.PolicyModel, BenchSettings, Dictionary<string, object>> benchmark) =>
        Model.TensorKeepAlive.Run(() => RunKept(parse, benchmark));

    private static int RunKept(ParseResult parse, Func<Model.Policy.PolicyModel, BenchSettings, Dictionary<string, object>> benchmark)
    {
        var config = CommonOptions.Load(parse);
        var runtime = PolicyFactory.Start(config);
        using var model = PolicyFactory.CreateRandom(config, runtime);
        var result = benchmark(model, config.Bind<BenchSettings>("r1.bench"));
        Console.WriteLine(JsonSerializer.Serialize(result, HumanJson.Compact));
        return 0;
    }
}
