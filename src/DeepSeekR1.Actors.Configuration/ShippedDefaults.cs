using System.Reflection;
using Akka.Configuration;

namespace DeepSeekR1.Actors.Configuration;

/// <summary>
/// The defaults shipped in <c>hocon/</c>, compiled into this assembly: the only place a setting's default lives.
/// Settings records declare their properties <c>required</c> and carry no values of their own; code that needs a
/// record's defaults outside a command (a test, a benchmark, a reader of a Hugging Face config) takes them from
/// here (<c>GrpoSettings.Defaults</c> is <c>Bind&lt;GrpoSettings&gt;("r1.grpo")</c>), so C# and HOCON cannot disagree.
/// </summary>
public static class ShippedDefaults
{
    /// <summary>The files that make up the defaults, in the order they are layered (a later file wins).</summary>
    public static readonly IReadOnlyList<string> Files = ["r1.conf", "model-tiny.conf", "grpo.conf", "sft.conf", "eval.conf", "pipeline.conf", "local.conf", "serve.conf"];

    private static readonly Lazy<Config> Merged = new(() =>
    {
        Config merged = Config.Empty;
        foreach (var file in Files) merged = ConfigurationFactory.ParseString(Text(file)).WithFallback(merged);
        return merged;
    });

    /// <summary>The defaults, every file layered.</summary>
    public static Config Config => Merged.Value;

    /// <summary>The text of one shipped file (<c>grpo.conf</c>), exactly as it is in <c>hocon/</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="file"/> is not one of <see cref="Files"/>.</exception>
    public static string Text(string file)
    {
        if (!Files.Contains(file)) throw new ArgumentException($"'{file}' is not a shipped defaults file ({string.Join(", ", Files)})", nameof(file));
        using var stream = typeof(ShippedDefaults).Assembly.GetManifestResourceStream($"hocon/{file}")
            ?? throw new InvalidOperationException($"hocon/{file} is not embedded in {typeof(ShippedDefaults).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The section at <paramref name="path"/> of the defaults as a settings record (see <see cref="HoconBinder"/>).</summary>
    public static T Bind<T>(string path) where T : class => HoconBinder.Bind<T>(Config, path);
}
