namespace DeepSeekR1.Actors.Serving.Chat;

/// <summary>One message of a chat conversation, as the OpenAI API sends it.</summary>
/// <param name="Role">system, user or assistant.</param>
/// <param name="Content">The text.</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>The roles a request may use.</summary>
    public static IReadOnlyList<string> Roles { get; } = ["system", "user", "assistant"];
}
