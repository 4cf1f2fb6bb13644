using Akka.Configuration;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>The command host's settings (HOCON section <c>r1.pbm</c>, commented in <c>hocon/local.conf</c>).</summary>
/// <param name="Enabled">Whether the node starts a command host.</param>
/// <param name="Host">The address it binds (loopback by default: pbm is for the operator of the machine).</param>
/// <param name="Port">The port it binds; 0 picks a free one.</param>
/// <param name="Token">The token clients must present; empty to take it from <paramref name="TokenEnv"/> or generate one.</param>
/// <param name="TokenEnv">The environment variable read when <paramref name="Token"/> is empty.</param>
public sealed record PbmSettings(bool Enabled, string Host, int Port, string Token, string TokenEnv)
{
    /// <summary>The file a generated token is written to, inside the data dir.</summary>
    public const string TokenFileName = "pbm.token";

    /// <summary>Reads <c>r1.pbm</c> from <paramref name="config"/>.</summary>
    public static PbmSettings From(Config config)
    {
        var c = config.GetConfig("r1.pbm") ?? throw new ArgumentException("configuration has no r1.pbm section (hocon/local.conf)");
        var settings = new PbmSettings(c.GetBoolean("enabled"), c.GetString("host"), c.GetInt("port"), c.GetString("token") ?? "", c.GetString("token-env") ?? "");
        if (settings.Port is < 0 or > 65535) throw new ArgumentException($"r1.pbm.port must be 0..65535, got {settings.Port}");
        return settings;
    }
}
