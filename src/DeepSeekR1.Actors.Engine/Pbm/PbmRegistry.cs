namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>A command of a palette: what discovery shows, and what runs it.</summary>
/// <param name="Info">Name, help and options, as discovered.</param>
/// <param name="Run">Runs the command; it answers through <see cref="PbmInvocation.Send"/>.</param>
internal sealed record PbmCommand(PbmCommandInfo Info, Func<PbmInvocation, Task> Run);

/// <summary>A palette: a named group of commands.</summary>
/// <param name="Name">The palette's name.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Commands">Its commands.</param>
internal sealed record PbmPalette(string Name, string Help, IReadOnlyList<PbmCommand> Commands)
{
    public PbmPaletteInfo Info => new(Name, Help, Commands.Select(c => c.Info).ToArray());
}

/// <summary>
/// The palettes a host serves. It resolves an invocation to its command and checks the options against the command's
/// own description, so a typo comes back as an error that names the closest real palette, command or option.
/// </summary>
/// <param name="palettes">The palettes.</param>
internal sealed class PbmRegistry(IReadOnlyList<PbmPalette> palettes)
{
    /// <summary>What discovery answers.</summary>
    public IReadOnlyList<PbmPaletteInfo> Discover() => palettes.Select(p => p.Info).ToArray();

    /// <summary>The command <paramref name="request"/> names, its options checked.</summary>
    /// <exception cref="PbmException">Unknown palette, command or option, a missing required option, or a flag with a value.</exception>
    public PbmCommand Resolve(PbmRequest request)
    {
        string paletteName = request.Palette ?? "";
        var palette = palettes.FirstOrDefault(p => p.Name == paletteName)
            ?? throw new PbmException($"unknown palette '{paletteName}'{ClosestName.Hint(paletteName, palettes.Select(p => p.Name))}; palettes: {string.Join(", ", palettes.Select(p => p.Name))}");
        string commandName = request.Command ?? "";
        var command = palette.Commands.FirstOrDefault(c => c.Info.Name == commandName)
            ?? throw new PbmException($"palette '{palette.Name}' has no command '{commandName}'{ClosestName.Hint(commandName, palette.Commands.Select(c => c.Info.Name))}; commands: {string.Join(", ", palette.Commands.Select(c => c.Info.Name))}");

        var options = command.Info.Options;
        string usage = $"{palette.Name} {command.Info.Name}";
        foreach (var (name, value) in request.Options ?? new Dictionary<string, string>())
        {
            var option = options.FirstOrDefault(o => o.Name == name)
                ?? throw new PbmException($"'{usage}' has no option --{name}{ClosestName.Hint(name, options.Select(o => o.Name), "--")}{OptionList(options)}");
            if (option.Flag && value != "true") throw new PbmException($"'{usage}': --{name} is a flag and takes no value");
            if (!option.Flag && value.Length == 0) throw new PbmException($"'{usage}': --{name} needs a value");
        }
        foreach (var required in options.Where(o => o.Required))
            if (request.Options?.ContainsKey(required.Name) != true)
                throw new PbmException($"'{usage}' needs --{required.Name} ({required.Help})");
        return command;
    }

    private static string OptionList(IReadOnlyList<PbmOptionInfo> options) =>
        options.Count == 0 ? "; it takes no options" : $"; options: {string.Join(", ", options.Select(o => "--" + o.Name))}";
}
