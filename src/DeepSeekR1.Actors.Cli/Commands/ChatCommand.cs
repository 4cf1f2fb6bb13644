using System.CommandLine;
using DeepSeekR1.Actors.Cli.Chat;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Cli.Terminal;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Serving;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 chat --checkpoint C [--system TEXT] [--risk-control on|off]</c>: talk to a checkpoint in the terminal, the
/// answer streamed as it is sampled, in the checkpoint's chat template, with <c>r1.sampling</c>'s settings and
/// <c>r1.risk-control</c> as <c>r1 serve</c> has them (docs/serving.md). On a terminal the line is edited in place and
/// the arrows walk the history; from a pipe each line is a turn.
/// </summary>
public static class ChatCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Policy checkpoint folder to talk to", Required = true };
    private static readonly Option<string?> SystemMessage = new("--system") { Description = "A system message (ChatML and DeepSeek-R1 templates; R1-Zero's has none)" };
    private static readonly Option<string?> RiskControl = new("--risk-control") { Description = "on | off for this session (default r1.risk-control.enabled)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("chat", "Talk to a checkpoint in the terminal, answers streamed as they are sampled") { Checkpoint, SystemMessage, RiskControl };
        command.WithConfigOptions();
        command.SetAction(parse => TensorKeepAlive.Run(() => Run(parse, Console.In, parse.InvocationConfiguration.Output)));
        return command;
    }

    /// <summary>Runs a session reading turns from <paramref name="input"/> (a line editor when that is the terminal).</summary>
    public static int Run(ParseResult parse, TextReader input, TextWriter output)
    {
        var error = parse.InvocationConfiguration.Error;
        var config = CommonOptions.Load(parse);
        bool? risk = parse.GetValue(RiskControl) switch
        {
            null => null,
            "on" => true,
            "off" => false,
            var other => throw new DeepSeekR1.Actors.Configuration.ConfigException($"--risk-control: '{other}' is not on or off"),
        };
        var serve = ServeCommand.Bind<ServeSettings>(config, "r1.serve", s => s.Validate());
        var riskSettings = ServeCommand.Bind<RiskControlSettings>(config, "r1.risk-control", r => r.Validate());
        using var stack = ServeCommand.Start(config, parse.GetValue(Checkpoint)!, serve, riskSettings, TrainCommand.SamplingSettings(config), error, out _);
        ILineInput lines = ReferenceEquals(input, Console.In) && EditingLineInput.IsSupported()
            ? new EditingLineInput(completion: null)
            : new PlainLineInput(input, output);
        var session = new ChatSession(stack.Service, lines, output, parse.GetValue(SystemMessage), risk, (ulong)config.GetLong("r1.seed"));
        return session.RunAsync().GetAwaiter().GetResult();
    }
}
