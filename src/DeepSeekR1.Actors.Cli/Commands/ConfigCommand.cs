using System.CommandLine;
using DeepSeekR1.Actors.Cli.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 config show [--config F] [--set k=v] [--prefix r1.grpo]</c>: the effective configuration, as HOCON that --config accepts back.</summary>
public static class ConfigCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var prefix = new Option<string[]>("--prefix") { Description = "Only keys under this path (repeatable), e.g. --prefix r1.grpo", Arity = ArgumentArity.ZeroOrMore };
        var show = new Command("show", "Print every setting with its effective value (defaults, then --config, then --set), one key = value per line")
        {
            prefix,
        };
        show.WithConfigOptions();
        show.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            parse.InvocationConfiguration.Output.Write(ConfigRenderer.Render(config, parse.GetValue(prefix) ?? []));
            return 0;
        });
        var command = new Command("config", "Inspect the configuration");
        command.Subcommands.Add(show);
        return command;
    }
}
