using System.CommandLine;
using System.Runtime.InteropServices;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Configuration;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Serving;
using DeepSeekR1.Actors.Serving.Http;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 serve --checkpoint C [--port 8000] [--api-key K]</c>: an OpenAI-compatible HTTP endpoint for a checkpoint,
/// behind DeepSeek-R1's risk control (docs/serving.md). Runs until Ctrl+C or SIGTERM.
/// </summary>
public static class ServeCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Policy checkpoint folder to serve", Required = true };
    private static readonly Option<int?> Port = new("--port") { Description = "TCP port (default r1.serve.port, 8000; 0 = any free port)" };
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "Require Authorization: Bearer KEY on every request (default r1.serve.api-key)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("serve", "Serve a checkpoint over an OpenAI-compatible HTTP API, behind risk control") { Checkpoint, Port, ApiKey };
        command.WithConfigOptions();
        command.SetAction(parse => TensorKeepAlive.Run(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        var settings = Bind<ServeSettings>(config, "r1.serve", s =>
        {
            // --port and --api-key are r1.serve.port and r1.serve.api-key, checked like them.
            if (parse.GetValue(Port) is { } port) s = s with { Port = port };
            if (parse.GetValue(ApiKey) is { } key) s = s with { ApiKey = key };
            return s.Validate();
        });
        var risk = Bind<RiskControlSettings>(config, "r1.risk-control", r => r.Validate());
        string checkpoint = parse.GetValue(Checkpoint)!;

        using var stack = Start(config, checkpoint, settings, risk, TrainCommand.SamplingSettings(config), error, out var tokenizer);
        string model = settings.ModelName.Length > 0 ? settings.ModelName : Path.GetFileName(Path.GetFullPath(checkpoint).TrimEnd(Path.DirectorySeparatorChar));
        var server = OpenAiServer.StartAsync(stack.Service, settings, model, error).GetAwaiter().GetResult();
        try
        {
            output.WriteLine($"r1 serve: {model} on {server.Address} (template {stack.Service.Template}, risk control " +
                             $"{(risk.Enabled ? "on" : "off by default")}, reviewer {Reviewer(risk)}{(settings.ApiKey.Length > 0 ? ", API key required" : "")})");
            output.WriteLine("r1 serve: POST /v1/chat/completions, POST /v1/completions, GET /v1/models; Ctrl+C stops");
            using var stop = new ManualResetEventSlim();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Set(); };
            Console.CancelKeyPress += onCancel;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
            stop.Wait();
            Console.CancelKeyPress -= onCancel;
            output.WriteLine($"r1 serve: stopping after {stack.Generator.Requests} requests in {stack.Generator.Batches} batches");
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    private static string Reviewer(RiskControlSettings risk) =>
        risk.Reviewer == ReviewerChoice.Policy || (risk.Reviewer == ReviewerChoice.Auto && risk.SafetyRm.Length == 0) ? "the policy" : $"safety RM {risk.SafetyRm}";

    /// <summary>Loads the checkpoint and its tokenizer and builds the serving stack (r1 serve and r1 safety eval share it).</summary>
    internal static ServingStack Start(R1Config config, string checkpoint, ServeSettings settings, RiskControlSettings risk,
        Model.Sampling.SamplingOptions sampling, TextWriter log, out IPolicyTokenizer tokenizer)
    {
        TorchRuntime.Configure(config.GetInt("r1.torch-threads"), config.GetBool("r1.torch-keep-freed-memory"));
        var device = TorchRuntime.ResolveDevice(config.GetString("r1.device"));
        if (RewardModelCheckpoint.IsRewardModel(checkpoint))
            throw new ConfigException($"--checkpoint {checkpoint} is a reward model, not a policy: it scores answers but cannot write them");
        tokenizer = File.Exists(Path.Combine(checkpoint, "tokenizer.json"))
            ? PolicyFactory.CreateTokenizer(checkpoint)
            : PolicyFactory.CreateTokenizer(config.GetString("r1.tokenizer.kind"));
        var policy = TorchThread.Shared.Invoke(() =>
        {
            var model = PolicyFactory.LoadCheckpoint(checkpoint, device, log, PolicyFactory.DtypeOf(config));
            model.eval();
            return model;
        });
        return ServingStack.Create(policy, tokenizer, settings, risk, sampling, TorchThread.Shared, path =>
        {
            if (!RewardModelCheckpoint.IsRewardModel(path))
                throw new ConfigException($"r1.risk-control.safety-rm: {path} is not a reward model (train one with r1 rm train --kind safety)");
            var model = RewardModelCheckpoint.Load(path, device);
            if (model.Kind != RewardModelKind.Safety)
            {
                model.Dispose();
                throw new ConfigException($"r1.risk-control.safety-rm: {path} is a {model.Kind.ToString().ToLowerInvariant()} reward model, not a safety one");
            }
            model.eval();
            return model;
        }, log);
    }

    /// <summary>Binds and checks a settings section; a bad value is a configuration error naming its key.</summary>
    internal static T Bind<T>(R1Config config, string path, Func<T, T> validate) where T : class
    {
        try { return validate(config.Bind<T>(path)); }
        catch (ArgumentException e) { throw new ConfigException($"{path}.{e.ParamName}: {e.Message}"); }
    }
}
