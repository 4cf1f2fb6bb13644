using System.Text;
using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>Help text made from what the host says it serves (the client has no command list of its own).</summary>
public static class PbmHelp
{
    /// <summary>Every palette with its commands, one line each.</summary>
    public static string Overview(IReadOnlyList<PbmPaletteInfo> palettes)
    {
        var text = new StringBuilder();
        foreach (var palette in palettes)
        {
            text.Append(palette.Name).Append(": ").Append(palette.Help).Append('\n');
            foreach (var command in palette.Commands) text.Append("  ").Append(Usage(palette, command).PadRight(42)).Append(' ').Append(command.Help).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>One palette's commands with their options; an unknown name gets the closest one suggested.</summary>
    public static string Palette(IReadOnlyList<PbmPaletteInfo> palettes, string name)
    {
        var palette = palettes.FirstOrDefault(p => p.Name == name);
        if (palette is null)
        {
            return $"unknown palette '{name}'{ClosestName.Hint(name, palettes.Select(p => p.Name))}; palettes: {string.Join(", ", palettes.Select(p => p.Name))}\n";
        }
        var text = new StringBuilder().Append(palette.Name).Append(": ").Append(palette.Help).Append('\n');
        foreach (var command in palette.Commands)
        {
            text.Append("  ").Append(Usage(palette, command)).Append('\n').Append("      ").Append(command.Help).Append('\n');
            foreach (var option in command.Options)
                text.Append("      --").Append(option.Name.PadRight(10)).Append(' ').Append(option.Help).Append(option.Required ? " (required)" : "").Append('\n');
        }
        return text.ToString();
    }

    private static string Usage(PbmPaletteInfo palette, PbmCommandInfo command) =>
        string.Join(' ', new[] { palette.Name, command.Name }.Concat(command.Options.Select(o =>
            (o.Flag ? $"--{o.Name}" : $"--{o.Name} {o.Name.ToUpperInvariant()}") is var usage && o.Required ? usage : $"[{usage}]")));
}
