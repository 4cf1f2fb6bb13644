using System.CommandLine;
using DeepSeekR1.Actors.Cli.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>The options every command that reads configuration shares: --config, --set and --data-dir.</summary>
public static class CommonOptions
{
    /// <summary>An extra HOCON file layered over the defaults in hocon/.</summary>
    public static readonly Option<string?> Config = new("--config") { Description = "HOCON file layered over the defaults in hocon/" };

    /// <summary>Single-key overrides, applied last.</summary>
    public static readonly Option<string[]> Set = new("--set")
    {
        Description = "Override one configuration key, e.g. --set r1.sampling.temperature=0.6 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>Shortcut for <c>--set r1.data-dir=DIR</c>.</summary>
    public static readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder for runs, checkpoints and journals (default ./.r1)" };

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public static T WithConfigOptions<T>(this T command) where T : Command
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(DataDir);
        return command;
    }

    /// <summary>Loads the configuration the shared options describe, with a command's own overrides applied before --set.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="commandOverrides">The command's own overrides.</param>
    /// <param name="configWhenNone">The file layered over the defaults when no --config is given (a command that needs a shape the defaults lack).</param>
    public static R1Config Load(ParseResult parse, IEnumerable<string>? commandOverrides = null, string? configWhenNone = null)
    {
        // Command-specific options (--steps, --engine) come first so that an explicit --set still wins.
        var sets = (commandOverrides ?? []).Concat(parse.GetValue(Set) ?? []).ToList();
        if (parse.GetValue(DataDir) is { } dataDir) sets.Add($"r1.data-dir={dataDir}");
        return R1Config.Load(parse.GetValue(Config) ?? configWhenNone, sets);
    }
}
