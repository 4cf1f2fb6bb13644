using DeepSeekR1.Actors.Cli.Pbm;
using DeepSeekR1.Actors.Cli.Terminal;
using DeepSeekR1.Actors.Engine.Pbm;
using Spectre.Console;

namespace DeepSeekR1.Actors.Cli.Tests.Terminal;

/// <summary>The pbm shell's line editor: Tab completion from the host's palettes, and history on the arrows.</summary>
public class EditingLineInputTests
{
    private static readonly IReadOnlyList<PbmPaletteInfo> Palettes =
    [
        new("run", "runs", [
            new("status", "a run's status", [new("id", "the run")]),
            new("stop", "stops a run", [new("id", "the run", Required: true), new("force", "now", Flag: true)]),
        ]),
        new("cluster", "the cluster", [new("show", "members", [])]),
    ];

    [Fact]
    public void Tab_offers_shell_words_and_palettes_then_commands_then_the_options_not_given_yet()
    {
        var completion = new PbmCompletion(Palettes);
        Assert.Equal(["help", "history", "clear", "exit", "run", "cluster"], completion.For(""));
        Assert.Equal(["status", "stop"], completion.For("run "));
        Assert.Equal(["run", "cluster"], completion.For("help "));
        Assert.Equal(["--id", "--force"], completion.For("run stop "));
        Assert.Equal(["--force"], completion.For("run stop --id r-1 "));
        Assert.Empty(completion.For("run stop --id "));          // the value of --id comes next
        Assert.Equal(["--id"], completion.For("run stop --force "));  // a flag takes no value
        Assert.Empty(completion.For("nope "));
        Assert.Empty(completion.For("run nope "));
    }

    [Fact]
    public async Task Tab_completes_a_typed_prefix_and_the_up_arrow_brings_back_the_last_line()
    {
        var keys = new ScriptedKeys()
            .Type("ru").Press(ConsoleKey.Tab).Type(" st").Press(ConsoleKey.Tab).Press(ConsoleKey.Tab).Type(" --").Press(ConsoleKey.Tab).Type(" r-1").Press(ConsoleKey.Enter)
            .Press(ConsoleKey.UpArrow).Press(ConsoleKey.Enter);
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        var input = new EditingLineInput(new PbmCompletion(Palettes), console, keys);

        // "st" + Tab is "status", a second Tab moves on to "stop"; "--" + Tab is stop's first option.
        Assert.Equal("run stop --id r-1", await input.ReadLineAsync("pbm> ", CancellationToken.None));
        Assert.Equal("run stop --id r-1", await input.ReadLineAsync("pbm> ", CancellationToken.None));
        Assert.Contains("pbm>", screen.ToString());
    }
}
