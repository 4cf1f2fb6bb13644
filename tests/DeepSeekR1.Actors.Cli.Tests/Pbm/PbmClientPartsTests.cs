using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Cli.Pbm;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Tests.Pbm;

/// <summary>The client's own parts: reading what the user typed, and rendering what the host answered.</summary>
public class PbmClientPartsTests
{
    [Fact]
    public void A_command_line_is_palette_command_and_options_in_any_of_their_spellings()
    {
        var line = PbmInvocationLine.Parse(["run", "metrics", "--id", "r-1", "--last=3", "--verbose"]);
        Assert.Equal(("run", "metrics"), (line.Palette, line.Command));
        Assert.Equal(new Dictionary<string, string> { ["id"] = "r-1", ["last"] = "3", ["verbose"] = "true" }, line.Options);

        Assert.Equal((null, null), (PbmInvocationLine.Parse([]).Palette, PbmInvocationLine.Parse([]).Command));
        Assert.Equal(("run", null), (PbmInvocationLine.Parse(["run"]).Palette, PbmInvocationLine.Parse(["run"]).Command));
        var stray = Assert.Throws<PbmClientException>(() => PbmInvocationLine.Parse(["run", "status", "extra"]));
        Assert.Contains("unexpected 'extra'", stray.Message);
    }

    [Fact]
    public void An_interactive_line_splits_on_spaces_and_quotes_group_words()
    {
        Assert.Equal(["run", "status", "--id", "my run", "--x", "it's"], PbmInvocationLine.Split("  run status --id \"my run\"  --x \"it's\" "));
        Assert.Equal(["a", ""], PbmInvocationLine.Split("a ''"));
        Assert.Throws<PbmClientException>(() => PbmInvocationLine.Split("run status --id \"open"));
    }

    [Fact]
    public void An_endpoint_is_host_and_port()
    {
        Assert.Equal(new PbmEndpoint("127.0.0.1", 9110), PbmEndpoint.Parse("127.0.0.1:9110"));
        Assert.Equal(new PbmEndpoint("::1", 9110), PbmEndpoint.Parse("[::1]:9110"));
        Assert.Equal("[::1]:9110", PbmEndpoint.Parse("[::1]:9110").ToString());
        foreach (var bad in new[] { "9110", "host:", "host:0", "host:70000", "host:x" })
            Assert.Throws<PbmClientException>(() => PbmEndpoint.Parse(bad));
    }

    [Fact]
    public void A_table_renders_aligned_with_a_dash_for_none_and_numbers_rounded()
    {
        var frame = new PbmFrame(PbmFrameKinds.Table, "2 members",
            Columns: ["address", "up", "reward"],
            Rows: [Row("akka.tcp://r1@a:1", true, 0.123456789), Row("b", false, null)]);
        Assert.Equal(
            "address            up   reward\n" +
            "-----------------  ---  ------\n" +
            "akka.tcp://r1@a:1  yes  0.1235\n" +
            "b                  no   -\n" +
            "2 members\n", PbmTableRenderer.Text(frame));

        var empty = new PbmFrame(PbmFrameKinds.Table, Columns: ["address"], Rows: []);
        Assert.EndsWith("(none)\n", PbmTableRenderer.Text(empty));
    }

    [Fact]
    public void A_single_wide_row_renders_as_one_line_per_column()
    {
        string[] columns = ["run", "state", "steps_done", "steps", "policy_version", "reward", "kl"];
        var frame = new PbmFrame(PbmFrameKinds.Table, Columns: columns, Rows: [Row("r", "paused", 3L, 10L, 3L, 1234567.5, 0.00001)]);
        Assert.Equal(
            "run             r\n" +
            "state           paused\n" +
            "steps_done      3\n" +
            "steps           10\n" +
            "policy_version  3\n" +
            "reward          1.235E+06\n" +
            "kl              1E-05\n", PbmTableRenderer.Text(frame));
    }

    [Fact]
    public void Json_output_keys_each_row_by_column_and_streamed_rows_are_json_lines()
    {
        var frame = new PbmFrame(PbmFrameKinds.Table, "note", Columns: ["run", "steps"], Rows: [Row("r`1", 2L)]);
        var parsed = JsonNode.Parse(PbmTableRenderer.Json(frame))!;
        Assert.Equal("r`1", (string?)parsed["rows"]![0]!["run"]);
        Assert.Equal(2, (int)parsed["rows"]![0]!["steps"]!);
        Assert.Equal("note", (string?)parsed["message"]);
        Assert.Contains("r`1", PbmTableRenderer.Json(frame));   // not escaped to \u0060

        Assert.Equal("{\"run\":\"x\",\"steps\":5}\n", PbmTableRenderer.JsonRow(frame, Row("x", 5L)));
        Assert.Equal("{\"error\":\"refused: wrong token\"}\n", PbmTableRenderer.JsonError("refused: wrong token"));
    }

    [Fact]
    public void Help_is_made_from_the_discovered_palettes_and_suggests_a_palette_for_a_typo()
    {
        PbmPaletteInfo[] palettes =
        [
            new("run", "Runs", [new("metrics", "Metrics", [new("id", "The run"), new("last", "How many", Required: true), new("all", "Every one", Flag: true)])]),
        ];
        Assert.Contains("run metrics [--id ID] --last LAST [--all]", PbmHelp.Overview(palettes));
        string help = PbmHelp.Palette(palettes, "run");
        Assert.Contains("--last       How many (required)", help);
        Assert.Equal("unknown palette 'rnu' (did you mean 'run'?); palettes: run\n", PbmHelp.Palette(palettes, "rnu"));
    }

    // Values as the client receives them: parsed from the host's JSON line.
    private static IReadOnlyList<JsonNode?> Row(params object?[] values) =>
        values.Select(v => v is null ? null : JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(v))).ToArray();
}
