using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Configuration;

/// <summary>
/// The effective configuration of one command: the defaults shipped in <c>hocon/</c>, then an optional
/// <c>--config FILE</c>, then each <c>--set key=value</c>, later layers winning. Every key a user supplies must exist in
/// the defaults, so a misspelt key is an error that names it (and suggests the closest real key) instead of being
/// silently ignored.
/// </summary>
public sealed class R1Config
{
    /// <summary>The files, in order, that make up the defaults (<see cref="ShippedDefaults.Files"/>).</summary>
    public static IReadOnlyList<string> DefaultFiles => ShippedDefaults.Files;

    private R1Config(Config merged) => Root = merged;

    /// <summary>The merged configuration.</summary>
    public Config Root { get; }

    /// <summary>Where the shipped HOCON files are: next to the binary, else the repository's <c>hocon/</c>.</summary>
    public static string HoconDirectory()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "hocon");
        if (File.Exists(Path.Combine(beside, "r1.conf"))) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "hocon", "r1.conf"))) return Path.Combine(dir.FullName, "hocon");
        throw new ConfigException("cannot find the hocon/ folder with r1.conf next to the r1 binary or above it");
    }

    /// <summary>Loads the defaults, then <paramref name="configFile"/>, then the <paramref name="overrides"/> (<c>key=value</c>).</summary>
    public static R1Config Load(string? configFile = null, IEnumerable<string>? overrides = null)
    {
        // The defaults compiled into the binary, the same ones every record's Defaults come from.
        Config defaults = Config.Empty;
        foreach (var file in DefaultFiles)
            defaults = Parse(ShippedDefaults.Text(file), Path.Combine("hocon", file)).WithFallback(defaults);

        var layers = new List<(Config Config, string Origin)>();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new ConfigException($"--config: file '{configFile}' does not exist");
            layers.Add((Parse(ReadText(configFile), configFile), configFile));
        }
        foreach (var assignment in overrides ?? [])
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ConfigException($"--set '{assignment}': expected key=value, for example --set r1.grpo.group-size=8");
            string key = assignment[..eq].Trim();
            string value = assignment[(eq + 1)..].Trim();
            layers.Add((Parse($"{key} = {Quote(value)}", $"--set {key}"), $"--set {assignment}"));
        }

        var known = LeafPaths(defaults).ToHashSet(StringComparer.Ordinal);
        foreach (var (layer, origin) in layers)
            foreach (var key in LeafPaths(layer))
                if (!known.Contains(key))
                    throw new ConfigException($"unknown configuration key '{key}' in {origin}{Suggestion(key, known)}");

        Config merged = defaults;
        foreach (var (layer, _) in layers) merged = layer.WithFallback(merged);
        return new R1Config(merged);
    }

    /// <summary>Binds the section at <paramref name="path"/> to a settings record (see <see cref="HoconBinder"/>).</summary>
    public T Bind<T>(string path) where T : class => HoconBinder.Bind<T>(Root, path);

    /// <summary>A string setting.</summary>
    public string GetString(string path) => Root.HasPath(path) ? Root.GetString(path) : throw Missing(path);

    /// <summary>An integer setting.</summary>
    public int GetInt(string path) => Root.HasPath(path) ? Root.GetInt(path) : throw Missing(path);

    /// <summary>A 64-bit integer setting.</summary>
    public long GetLong(string path) => Root.HasPath(path) ? Root.GetLong(path) : throw Missing(path);

    /// <summary>A true/false setting.</summary>
    public bool GetBool(string path) => Root.HasPath(path) ? Root.GetBoolean(path) : throw Missing(path);

    private static ConfigException Missing(string path) => new($"configuration key '{path}' is missing from the defaults in hocon/");

    private static Config Parse(string text, string origin)
    {
        HoconStructure.Check(text, origin);
        try { return ConfigurationFactory.ParseString(text, Includer(origin, 0)); }
        catch (Exception e) when (e is not ConfigException) { throw new ConfigException($"{origin}: invalid HOCON: {e.Message}"); }
    }

    // `include "other.conf"` reads the file beside the including one (the working directory for --set); a missing
    // file is an error naming both, where Akka's parser without a callback fails with a NullReferenceException.
    private static Func<string, Akka.Configuration.Hocon.HoconRoot> Includer(string origin, int depth) => name =>
    {
        if (depth >= 8) throw new ConfigException($"{origin}: include \"{name}\": includes nest more than 8 deep");
        string folder = File.Exists(origin) ? Path.GetDirectoryName(Path.GetFullPath(origin))! : Directory.GetCurrentDirectory();
        string path = Path.IsPathRooted(name) ? name : Path.Combine(folder, name);
        if (!File.Exists(path)) throw new ConfigException($"{origin}: include \"{name}\": no such file ({path})");
        string text = ReadText(path);
        HoconStructure.Check(text, path);
        return Akka.Configuration.Hocon.Parser.Parse(text, Includer(path, depth + 1));
    };

    // A config file read as strict UTF-8: a bad byte is an error naming its line, not a U+FFFD inside a value.
    private static string ReadText(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF'); }
        catch (System.Text.DecoderFallbackException e)
        {
            int line = 1 + bytes.AsSpan(0, Math.Clamp(e.Index, 0, bytes.Length)).Count((byte)'\n');
            throw new ConfigException($"{path}:{line}: not valid UTF-8");
        }
    }

    // Values from the command line are strings unless they read as a number, a boolean or a list.
    private static string Quote(string value) =>
        value.Length > 0 && (double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) || value is "true" or "false" or "on" or "off"
            || value.StartsWith('[') || value.StartsWith('"'))
            ? value
            : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>Every leaf key of a configuration, as dotted paths.</summary>
    public static IEnumerable<string> LeafPaths(Config config)
    {
        if (config.IsEmpty || config.Root is null || !config.Root.IsObject()) yield break;
        var stack = new Stack<(string Prefix, Akka.Configuration.Hocon.HoconObject Object)>();
        stack.Push(("", config.Root.GetObject()));
        while (stack.Count > 0)
        {
            var (prefix, obj) = stack.Pop();
            foreach (var (key, value) in obj.Items)
            {
                string path = prefix.Length == 0 ? key : prefix + "." + key;
                if (value.IsObject() && value.GetObject().Items.Count > 0) stack.Push((path, value.GetObject()));
                else yield return path;
            }
        }
    }

    private static string Suggestion(string key, IReadOnlySet<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Engine.Pbm.ClosestName.Distance(k, key))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Key is not null && best.Distance <= Math.Max(2, key.Length / 5) ? $" (did you mean '{best.Key}'?)" : "";
    }
}
