using System.CommandLine;
using System.Text.Json;
using DeepSeekR1.Actors.Cli.Bench;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 bench generate|learner|overhead|experts|attention|async</c>: throughput figures as one JSON line each.</summary>
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
        return bench;
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
