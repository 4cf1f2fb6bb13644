using System.Globalization;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>One run of a command: its checked options, the way to answer, and the connection's cancellation.</summary>
/// <param name="options">The options by name (a flag's value is "true").</param>
/// <param name="send">Writes one frame to the client.</param>
/// <param name="cancellation">Cancelled when the client disconnects or the host stops.</param>
internal sealed class PbmInvocation(IReadOnlyDictionary<string, string> options, Func<PbmFrame, Task> send, CancellationToken cancellation)
{
    /// <summary>Cancelled when the client disconnects or the host stops.</summary>
    public CancellationToken Cancellation => cancellation;

    /// <summary>Writes one frame to the client.</summary>
    public Task Send(PbmFrame frame) => send(frame);

    /// <summary>A string option, or null when absent.</summary>
    public string? Option(string name) => options.GetValueOrDefault(name);

    /// <summary>A positive integer option, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="PbmException">The value is not a positive integer.</exception>
    public int PositiveInt(string name, int fallback)
    {
        if (Option(name) is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new PbmException($"--{name} must be a positive whole number, got '{text}'");
    }
}
