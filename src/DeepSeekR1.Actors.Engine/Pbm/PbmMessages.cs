using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Engine.Pbm;

// The pbm wire protocol (docs/pbm.md): newline-delimited JSON over TCP. The client's first line is a PbmHello with
// the token; every later line is a PbmRequest; the host answers each with PbmFrames. Client and host share these
// records, so the two sides cannot drift apart.

/// <summary>The client's first line: the protocol version it speaks and the token.</summary>
/// <param name="Version">The protocol version (<see cref="PbmWire.Version"/>).</param>
/// <param name="Token">The host's token.</param>
public sealed record PbmHello(int Version, string? Token);

/// <summary>A request after the hello.</summary>
/// <param name="Kind"><see cref="PbmRequestKinds.Discover"/> or <see cref="PbmRequestKinds.Invoke"/>.</param>
/// <param name="Palette">The palette of an invocation.</param>
/// <param name="Command">The command of an invocation.</param>
/// <param name="Options">The invocation's options by name without dashes; a flag's value is "true".</param>
public sealed record PbmRequest(string Kind, string? Palette = null, string? Command = null, IReadOnlyDictionary<string, string>? Options = null);

/// <summary>The kinds of <see cref="PbmRequest"/>.</summary>
public static class PbmRequestKinds
{
    /// <summary>List the palettes with their commands and options.</summary>
    public const string Discover = "discover";
    /// <summary>Run one command.</summary>
    public const string Invoke = "invoke";
}

/// <summary>
/// One line from the host. Which fields are set depends on <see cref="Kind"/> (<see cref="PbmFrameKinds"/>); the others
/// are left out of the JSON.
/// </summary>
/// <param name="Kind">What the frame is.</param>
/// <param name="Message">A welcome's node address, an error's explanation, or a note under a table.</param>
/// <param name="Palettes">A discovery's answer.</param>
/// <param name="Columns">A table's column names.</param>
/// <param name="Rows">A table's rows, one value per column (string, number, boolean or null).</param>
/// <param name="Streaming">True when rows frames follow until the client disconnects.</param>
public sealed record PbmFrame(
    string Kind, string? Message = null, IReadOnlyList<PbmPaletteInfo>? Palettes = null, IReadOnlyList<string>? Columns = null,
    IReadOnlyList<IReadOnlyList<JsonNode?>>? Rows = null, bool? Streaming = null)
{
    /// <summary>An error answer.</summary>
    public static PbmFrame Error(string message) => new(PbmFrameKinds.Error, message);
}

/// <summary>The kinds of <see cref="PbmFrame"/>.</summary>
public static class PbmFrameKinds
{
    /// <summary>The hello was accepted; <see cref="PbmFrame.Message"/> names the node.</summary>
    public const string Welcome = "welcome";
    /// <summary>The answer to a discovery.</summary>
    public const string Palettes = "palettes";
    /// <summary>A command's answer: a table and an optional note (the first frame of a stream).</summary>
    public const string Table = "table";
    /// <summary>More rows of a streaming command's table.</summary>
    public const string Rows = "rows";
    /// <summary>The request failed; after a refused hello the host closes the connection.</summary>
    public const string Error = "error";
}

/// <summary>A palette as discovered: a named group of commands.</summary>
/// <param name="Name">The palette's name (the first word of a command line).</param>
/// <param name="Help">One line of help.</param>
/// <param name="Commands">Its commands.</param>
public sealed record PbmPaletteInfo(string Name, string Help, IReadOnlyList<PbmCommandInfo> Commands);

/// <summary>A command as discovered.</summary>
/// <param name="Name">The command's name (the second word).</param>
/// <param name="Help">One line of help.</param>
/// <param name="Options">Its options.</param>
/// <param name="Streaming">Whether it streams rows until the client disconnects.</param>
public sealed record PbmCommandInfo(string Name, string Help, IReadOnlyList<PbmOptionInfo> Options, bool Streaming = false);

/// <summary>A command option as discovered (<c>--name value</c>, or <c>--name</c> alone for a flag).</summary>
/// <param name="Name">The name without dashes.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Required">Whether the command needs it.</param>
/// <param name="Flag">Whether it takes no value.</param>
public sealed record PbmOptionInfo(string Name, string Help, bool Required = false, bool Flag = false);
