using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>The command host's settings (HOCON section <c>r1.pbm</c>; keys and defaults in <c>hocon/local.conf</c> only).</summary>
public sealed record PbmSettings
{
    /// <summary>The file a generated token is written to, inside the data dir.</summary>
    public const string TokenFileName = "pbm.token";

    /// <summary>Whether the node starts a command host.</summary>
    public required bool Enabled { get; init; }
    /// <summary>The address it binds (loopback by default: pbm is for the operator of the machine).</summary>
    public required string Host { get; init; }
    /// <summary>The port it binds; 0 picks a free one.</summary>
    public required int Port { get; init; }
    /// <summary>The token clients must present; empty to take it from <see cref="TokenEnv"/> or generate one.</summary>
    public required string Token { get; init; }
    /// <summary>The environment variable read when <see cref="Token"/> is empty.</summary>
    public required string TokenEnv { get; init; }

    /// <summary>Reads and checks <c>r1.pbm</c> of <paramref name="config"/>.</summary>
    /// <exception cref="ConfigException">A key is missing, unknown, of the wrong type or out of range.</exception>
    public static PbmSettings From(Config config)
    {
        var settings = HoconBinder.Bind<PbmSettings>(config, "r1.pbm");
        if (settings.Port is < 0 or > 65535) throw new ConfigException($"r1.pbm.port must be 0..65535, got {settings.Port}");
        return settings;
    }
}
