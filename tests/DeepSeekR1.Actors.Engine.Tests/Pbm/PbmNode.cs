using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>
/// A real node (EngineHost) with its pbm host on a free loopback port and a known token, and the real `r1 pbm`
/// client pointed at it. The node's warnings are collected, so tests can check that refusals are logged.
/// </summary>
internal sealed class PbmNode : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private readonly ConcurrentQueue<string> warnings = new();

    private PbmNode(EngineHost host, string dataDir)
    {
        Host = host;
        DataDir = dataDir;
        var collector = host.System.ActorOf(Props.Create(() => new WarningCollector(warnings)));
        host.System.EventStream.Subscribe(collector, typeof(Warning));
    }

    public EngineHost Host { get; }
    public string DataDir { get; }
    public string Endpoint => Host.Pbm!.Endpoint.ToString();
    public IReadOnlyList<string> Warnings => warnings.ToArray();

    /// <summary>The node's cluster address.</summary>
    public string Address => Akka.Cluster.Cluster.Get(Host.System).SelfAddress.ToString();

    /// <summary>A tiny run of <paramref name="steps"/> steps on a random tiny policy (fast; these tests need no learning).</summary>
    public static EngineRun Run(string dataDir, int steps, string runId = "pbm") =>
        TinyRuns.Run(dataDir, runId) with { Grpo = TinyRuns.Grpo with { Steps = steps }, InitialPolicy = TinyRuns.Policy };

    public static async Task<PbmNode> StartAsync(string dataDir, EngineRun run, EngineObserver? observer = null)
    {
        var overrides = ConfigurationFactory.ParseString($"""
            r1.pbm.port = 0
            r1.pbm.token = "{Token}"
            """).WithFallback(TinyRuns.Overrides);
        return new PbmNode(await EngineHost.StartAsync(run, dataDir, overrides, observer), dataDir);
    }

    /// <summary>Runs `r1 pbm ENDPOINT words...` with the right token; returns the exit code and what it printed.</summary>
    public Task<(int Exit, string Out, string Err)> Pbm(params string[] words) => Client([Endpoint, .. words, "--token", Token]);

    /// <summary>Runs `r1 pbm ENDPOINT words... --json` and parses the answer; the command must succeed.</summary>
    public async Task<JsonNode> Json(params string[] words)
    {
        var (exit, output, error) = await Pbm([.. words, "--json"]);
        Assert.True(exit == 0, $"pbm {string.Join(' ', words)} failed ({exit}): {error}");
        return JsonNode.Parse(output)!;
    }

    /// <summary>The first row of a JSON answer.</summary>
    public async Task<JsonNode> Row(params string[] words) => (await Json(words))["rows"]![0]!;

    /// <summary>The real client with exactly these arguments, and <paramref name="input"/> as its terminal (see <see cref="PbmCli"/>).</summary>
    public Task<(int Exit, string Out, string Err)> Client(string[] arguments, string input = "") => PbmCli.Run(DataDir, arguments, input);

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan timeout) => PbmCli.Eventually(condition, timeout);

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private sealed class WarningCollector : ReceiveActor
    {
        public WarningCollector(ConcurrentQueue<string> warnings) => Receive<Warning>(w => warnings.Enqueue(w.Message?.ToString() ?? ""));
    }
}
