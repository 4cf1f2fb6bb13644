using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Pbm;
using DeepSeekR1.Actors.Engine.Sharding;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>The real `r1 pbm` client against a real node's command host over loopback: access, discovery, errors, palettes.</summary>
public sealed class PbmHostTests : IAsyncLifetime
{
    private readonly TempDir dir = new();
    private PbmNode node = null!;

    public async Task InitializeAsync() => node = await PbmNode.StartAsync(dir.Path, PbmNode.Run(dir.Path, steps: 1));

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task A_wrong_or_missing_token_is_refused_and_logged_and_the_right_one_gets_in()
    {
        var wrong = await node.Client([node.Endpoint, "cluster", "show", "--token", "not-the-token"]);
        Assert.Equal(1, wrong.Exit);
        Assert.Contains("refused: wrong token", wrong.Err);
        Assert.Equal("", wrong.Out);

        var missing = await node.Client([node.Endpoint, "cluster", "show"]);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("refused: no token", missing.Err);

        Assert.True(await PbmNode.Eventually(() => Task.FromResult(node.Warnings.Count(w => w.Contains("pbm: refused")) >= 2), TimeSpan.FromSeconds(5)),
            $"warnings: {string.Join(" | ", node.Warnings)}");
        Assert.Contains(node.Warnings, w => w.Contains("wrong token") && w.Contains("127.0.0.1"));
        Assert.Contains(node.Warnings, w => w.Contains("no token"));

        // The token from a file, as a node that generated its token leaves it for the client.
        string file = Path.Combine(dir.Path, "token.txt");
        await File.WriteAllTextAsync(file, PbmNode.Token + "\n");
        var fromFile = await node.Client([node.Endpoint, "cluster", "show", "--token-file", file]);
        Assert.True(fromFile.Exit == 0, fromFile.Err);
        Assert.Contains(node.Address, fromFile.Out);
    }

    [Fact]
    public async Task Unknown_palettes_commands_and_options_are_errors_that_suggest_the_closest_name()
    {
        var palette = await node.Pbm("clustr", "show");
        Assert.Equal(1, palette.Exit);
        Assert.Contains("unknown palette 'clustr' (did you mean 'cluster'?)", palette.Err);

        var command = await node.Pbm("run", "stauts");
        Assert.Equal(1, command.Exit);
        Assert.Contains("palette 'run' has no command 'stauts' (did you mean 'status'?)", command.Err);
        Assert.Contains("commands: list, status, pause, resume, stop, metrics, checkpoints", command.Err);

        var option = await node.Pbm("run", "status", "--idd", "pbm");
        Assert.Equal(1, option.Exit);
        Assert.Contains("has no option --idd (did you mean '--id'?)", option.Err);

        var required = await node.Pbm("cluster-sharding", "region-stats");
        Assert.Equal(1, required.Exit);
        Assert.Contains("needs --type", required.Err);

        var run = await node.Pbm("run", "status", "--id", "pmb");
        Assert.Equal(1, run.Exit);
        Assert.Contains("no run 'pmb' in the journal (did you mean 'pbm'?)", run.Err);
    }

    [Fact]
    public async Task Help_comes_from_the_host_and_the_interactive_prompt_keeps_a_history()
    {
        var help = await node.Pbm("help");
        Assert.Equal(0, help.Exit);
        foreach (var expected in new[] { "cluster show", "cluster tail", "cluster-sharding region-stats --type TYPE", "run pause [--id ID]", "run metrics [--id ID] [--last LAST]" })
            Assert.Contains(expected, help.Out);

        var palette = await node.Pbm("run");
        Assert.Equal(0, palette.Exit);
        Assert.Contains("--last", palette.Out);
        Assert.DoesNotContain("cluster-sharding", palette.Out);

        var shell = await node.Client([node.Endpoint, "--token", PbmNode.Token], "help run\nrun status\nclear\nhistory\n!2\n!99\nrun bogus\nexit\n");
        Assert.Equal(0, shell.Exit);
        Assert.Contains($"node {node.Address}: 4 palettes (cluster, cluster-sharding, run, experts)", shell.Out);
        Assert.Contains($"pbm {node.Endpoint}> ", shell.Out);
        Assert.Contains("   1  help run\n   2  run status\n   3  history", shell.Out);
        // "!2" ran "run status" again: the status table twice.
        Assert.Equal(2, CountOf(shell.Out, "policy_version"));
        Assert.Contains("no command 'bogus'", shell.Err);
        // 'clear' is the shell's own (not sent, not in the history); its errors share the client's one prefix.
        Assert.Contains("pbm: no such history entry '!99'", shell.Out);
    }

    [Fact]
    public async Task Cluster_show_and_sharding_regions_report_this_node_and_its_entities()
    {
        // Each check prints the whole answer when it fails: this test failed twice under the full suite's load, with
        // only the bare assertion to go on.
        var members = (await node.Json("cluster", "show"))["rows"]!.AsArray();
        Assert.True(members.Count == 1, $"cluster show: {members.ToJsonString()}");
        var self = members[0]!;
        Assert.True(node.Address == (string?)self["address"] && (string?)self["status"] == "up"
            && (bool)self["leader"]! && (bool)self["self"]! && (bool)self["reachable"]!, $"cluster show: {members.ToJsonString()} (this node: {node.Address})");

        // Asking for the run's status wakes its entity: one entity in one shard of the run region.
        await node.Json("run", "status");
        var regions = (await node.Json("cluster-sharding", "regions"))["rows"]!.AsArray();
        string[] expected = new[] { EntityIds.GroupKind, EntityIds.VerifierKind, EntityIds.SamplerKind, EntityIds.RunKind }.Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.SequenceEqual(regions.Select(r => (string)r!["type"]!)), $"regions: {regions.ToJsonString()}");
        var runRegion = regions.Single(r => (string?)r!["type"] == EntityIds.RunKind)!;
        Assert.True(((int)runRegion["shards"]!, (int)runRegion["entities"]!) == (1, 1), $"regions: {regions.ToJsonString()}");

        var stats = Assert.Single((await node.Json("cluster-sharding", "region-stats", "--type", EntityIds.RunKind))["rows"]!.AsArray())!;
        Assert.Equal(node.Address, (string?)stats["region"]);
        Assert.Equal(1, (int)stats["entities"]!);

        var typo = await node.Pbm("cluster-sharding", "region-stats", "--type", "rn");
        Assert.Contains("no entity kind 'rn' (did you mean 'run'?)", typo.Err);

        // A kind whose regions live on nodes of another role is proxied here: the proxy answers for the cluster
        // (here: no node has that role, so no region) instead of "no such kind".
        Akka.Cluster.Sharding.ClusterSharding.Get(node.Host.System).StartProxy("elsewhere", "a-role-no-node-has", new EntityExtractor(4));
        var proxied = await node.Json("cluster-sharding", "region-stats", "--type", "elsewhere");
        Assert.Empty(proxied["rows"]!.AsArray());
        Assert.Contains("through this node's proxy", (string?)proxied["message"] ?? proxied.ToJsonString());
    }

    [Fact]
    public async Task Cluster_tail_streams_membership_until_the_client_hangs_up()
    {
        var endpoint = PbmEndpoint.Parse(node.Endpoint);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var frames = new List<Engine.Pbm.PbmFrame>();
        await using (var client = await PbmClient.ConnectAsync(endpoint, PbmNode.Token, stop.Token))
        {
            await foreach (var frame in client.InvokeAsync(PbmInvocationLine.Parse(["cluster", "tail"]), stop.Token))
            {
                frames.Add(frame);
                if (frames.Count == 2) break;   // the header, then the current member as an event
            }
        }
        Assert.True(frames[0].Streaming);
        Assert.Equal(["time", "event", "address", "status", "roles"], frames[0].Columns!);
        var row = frames[1].Rows!.Single();
        Assert.Equal(("up", node.Address), ((string?)row[1], (string?)row[2]));

        // The host ended the stream with the connection and still serves.
        Assert.Equal(0, (await node.Pbm("cluster", "show")).Exit);
    }

    [Fact]
    public async Task The_wire_protocol_is_one_json_object_per_line_and_a_malformed_request_is_answered_before_hanging_up()
    {
        var endpoint = node.Host.Pbm!.Endpoint;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Address, endpoint.Port);
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream);
        var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };

        await writer.WriteLineAsync($$"""{"version":1,"token":"{{PbmNode.Token}}"}""");
        var welcome = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal(("welcome", node.Address), ((string?)welcome["kind"], (string?)welcome["message"]));

        await writer.WriteLineAsync("""{"kind":"discover"}""");
        var palettes = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal(["cluster", "cluster-sharding", "run", "experts"], palettes["palettes"]!.AsArray().Select(p => (string)p!["name"]!));
        var tail = palettes["palettes"]![0]!["commands"]!.AsArray().Single(c => (string?)c!["name"] == "tail")!;
        Assert.True((bool)tail["streaming"]!);

        await writer.WriteLineAsync("""{"kind":"invoke","palette":"run","command":"metrics","options":{"last":"0"}}""");
        var invalid = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal(("error", "--last must be a positive whole number, got '0'"), ((string?)invalid["kind"], (string?)invalid["message"]));

        await writer.WriteLineAsync("this is not json");
        var error = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal("error", (string?)error["kind"]);
        Assert.Contains("not a valid PbmRequest line", (string?)error["message"]);
        Assert.Null(await reader.ReadLineAsync());   // and the host hung up
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
