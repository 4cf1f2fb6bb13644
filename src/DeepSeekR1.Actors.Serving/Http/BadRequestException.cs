namespace DeepSeekR1.Actors.Serving.Http;

/// <summary>A request the server refuses with 400; <see cref="Param"/> names the field at fault (OpenAI's <c>param</c>).</summary>
public sealed class BadRequestException(string? param, string message) : Exception(message)
{
    /// <summary>The JSON field at fault (<c>messages[1].role</c>), or null when the body as a whole is bad.</summary>
    public string? Param { get; } = param;
}
