using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Configuration;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Cluster;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 node</c>: one member of a cluster that serves one run (docs/cluster.md). It hosts what its roles say
/// (<see cref="NodeRoles"/>), reaches the rest through proxies, and runs until SIGTERM or Ctrl+C, when it leaves the
/// cluster gracefully. The run itself is driven by <c>r1 train</c> with the same configuration and run id.
/// </summary>
public static class NodeCommand
{
    private static readonly Option<string?> Roles = new("--roles") { Description = "Comma-separated roles: learner, rollout, reward, experts (default: akka.cluster.roles; none there = all)" };
    private static readonly Option<string?> Host = new("--host") { Description = "Address to bind and to be reached at (akka.remote.dot-netty.tcp.hostname)" };
    private static readonly Option<int?> Port = new("--port") { Description = "Port to bind (akka.remote.dot-netty.tcp.port)" };
    private static readonly Option<string[]> Seeds = new("--seed")
    {
        Description = "Seed node address, e.g. akka.tcp://r1@10.0.0.1:4053 (repeatable; default: R1_SEED_NODES, else akka.cluster.seed-nodes)",
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string?> RunId = new("--run-id") { Description = "The run this cluster serves (the same on every node and the driver)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("node", "Start one node of a cluster and run until SIGTERM/Ctrl+C") { Roles, Host, Port, Seeds, RunId };
        command.WithConfigOptions();
        command.SetAction(parse => Execute(parse, Console.Out));
        return command;
    }

    /// <summary>Starts the node and blocks until a termination signal or until the cluster removes it.</summary>
    public static int Execute(ParseResult parse, TextWriter output)
    {
        var config = CommonOptions.Load(parse);
        string runId = TrainCommand.CheckRunId(parse.GetValue(RunId) ?? throw new ConfigException("r1 node serves one run: give --run-id, the same as the driver's (r1 train --run-id)"));
        var roles = parse.GetValue(Roles)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // A misspelt role would leave the node hosting nothing of that kind, silently.
        if (roles?.FirstOrDefault(r => !NodeRoles.All.Contains(r)) is { } unknown)
            throw new ConfigException($"--roles: '{unknown}' is not a role; roles are {string.Join(", ", NodeRoles.All)}");
        var layer = NodeLayer(roles, parse.GetValue(Host), parse.GetValue(Port), parse.GetValue(Seeds) ?? []);

        var settings = RunSettings.From(config);
        var runtime = PolicyFactory.Start(config);
        var task = TrainCommand.TrainingTask(config, settings.Train, settings.Grpo, settings.Sampling, runtime, output);
        var run = TrainCommand.EngineRunFor(config, settings, runtime, task, runId);

        var observer = new EngineObserver
        {
            OnMarker = marker =>
            {
                lock (output) { output.WriteLine(MarkerLine.Of(marker)); output.Flush(); }
            },
        };
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;   // leave the cluster first; the process ends when the node has left
            stop.TrySetResult();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        Task.Run(async () =>
        {
            await using var host = await EngineHost.StartAsync(run, config.GetString("r1.data-dir"), layer.WithFallback(config.Root), observer);
            var self = Akka.Cluster.Cluster.Get(host.System);
            lock (output)
            {
                output.WriteLine($"r1 node: up at {self.SelfAddress}, roles [{string.Join(",", self.SelfRoles)}], run {runId}");
                output.Flush();
            }
            // A node the cluster downed (split-brain resolver) terminates its ActorSystem; the process ends with it.
            await Task.WhenAny(stop.Task, host.System.WhenTerminated);
            lock (output) { output.WriteLine("r1 node: leaving the cluster"); output.Flush(); }
        }).GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// The HOCON layer of a node's command-line options: roles, bind address and port, and seed nodes (the
    /// <c>--seed</c> options, else <see cref="ClusterSettings.SeedNodesVariable"/>; neither = the configuration's).
    /// </summary>
    public static Config NodeLayer(IReadOnlyList<string>? roles, string? host, int? port, IReadOnlyList<string> seeds)
    {
        var lines = new List<string>();
        if (roles is not null) lines.Add($"akka.cluster.roles = [{string.Join(", ", roles.Select(Quote))}]");
        if (host is not null) lines.Add($"akka.remote.dot-netty.tcp.hostname = {Quote(host)}");
        if (port is int p) lines.Add(string.Create(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.port = {p}"));
        var chosen = seeds.Count > 0 ? seeds : ClusterSettings.SeedsFromEnvironment();
        if (chosen.Count > 0) lines.Add($"akka.cluster.seed-nodes = [{string.Join(", ", chosen.Select(Quote))}]");
        return ConfigurationFactory.ParseString(string.Join('\n', lines));
    }

    /// <summary>
    /// The layer that makes <c>r1 train</c> a cluster's driver, or null when no seed nodes are configured (the single
    /// node). A driver without configured roles hosts nothing (<see cref="NodeRoles.Driver"/>: proxies only) and binds
    /// any free port, since nobody needs to reach it first.
    /// </summary>
    public static Config? DriverLayer(R1Config config)
    {
        var layer = NodeLayer(null, null, null, []);
        var merged = layer.WithFallback(config.Root);
        if ((merged.GetStringList("akka.cluster.seed-nodes") ?? []).Count == 0) return null;
        if ((config.Root.GetStringList("akka.cluster.roles") ?? []).Count > 0) return layer;
        return ConfigurationFactory.ParseString($"akka.cluster.roles = [{Quote(NodeRoles.Driver)}]\nakka.remote.dot-netty.tcp.port = 0")
            .WithFallback(layer);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
