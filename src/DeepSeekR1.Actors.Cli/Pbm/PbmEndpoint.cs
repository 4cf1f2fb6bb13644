using System.Globalization;

namespace DeepSeekR1.Actors.Cli.Pbm;

/// <summary>Where a command host listens: <c>HOST:PORT</c>, or <c>[IPv6]:PORT</c>.</summary>
/// <param name="Host">The host name or address.</param>
/// <param name="Port">The port.</param>
public sealed record PbmEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>HOST:PORT</c>.</summary>
    /// <exception cref="PbmClientException">It is not HOST:PORT with a port in 1..65535.</exception>
    public static PbmEndpoint Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new PbmClientException($"'{text}' is not HOST:PORT, for example 127.0.0.1:9110");
        return new(text[..colon].Trim('[', ']'), port);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
