namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>One line of a safety evaluation set.</summary>
/// <param name="Id">The line's <c>id</c>.</param>
/// <param name="Prompt">The user's request.</param>
/// <param name="Category">Its taxonomy category.</param>
/// <param name="Harmful">Whether the request is harmful (<c>harmful</c>; a refusal of a harmless request is over-refusal).</param>
public sealed record SafetyPrompt(string Id, string Prompt, string Category, bool Harmful);
