using System.Security.Cryptography;
using System.Text;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>The token a command host accepts, and where it came from.</summary>
/// <param name="Value">The token.</param>
/// <param name="Source">Where it came from, for the start-up line: <c>r1.pbm.token</c>, the variable's name, or the file.</param>
/// <param name="File">The file a generated token was written to; null when it came from configuration or the environment.</param>
public sealed record PbmToken(string Value, string Source, string? File)
{
    /// <summary>
    /// The token of a host: <c>r1.pbm.token</c> when set, else the environment variable <c>r1.pbm.token-env</c> names,
    /// else a fresh random one written to <c>DATA_DIR/pbm.token</c>, readable by its owner only.
    /// </summary>
    public static PbmToken Resolve(PbmSettings settings, string dataDirectory)
    {
        if (settings.Token.Length > 0) return new(settings.Token, "r1.pbm.token", null);
        if (settings.TokenEnv.Length > 0 && Environment.GetEnvironmentVariable(settings.TokenEnv) is { Length: > 0 } fromEnv)
            return new(fromEnv, "$" + settings.TokenEnv, null);
        string token = RandomNumberGenerator.GetHexString(48, lowercase: true);
        string file = Path.GetFullPath(Path.Combine(dataDirectory, PbmSettings.TokenFileName));
        Write(file, token);
        return new(token, file, file);
    }

    /// <summary>
    /// Whether <paramref name="presented"/> is this token. Both sides are hashed first, so the comparison takes the same
    /// time whatever the length or the first differing character of a guess.
    /// </summary>
    public bool Accepts(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(Value)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    // Created with owner-only permissions, so the token is never readable by others, not even for a moment.
    private static void Write(string file, string token)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream, PbmWire.Encoding))
            writer.Write(token + "\n");
        // An existing file keeps its old mode on FileMode.Create; set it explicitly.
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
