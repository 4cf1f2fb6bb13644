namespace DeepSeekR1.Actors.Rl.RewardModels;

/// <summary>One line of a preference file: a prompt with a better and a worse response.</summary>
/// <param name="Id">The line's <c>id</c>, or FILE-LINE.</param>
/// <param name="Prompt">The user's request.</param>
/// <param name="Chosen">The better response.</param>
/// <param name="Rejected">The worse response.</param>
public sealed record PreferencePair(string Id, string Prompt, string Chosen, string Rejected);

/// <summary>One line of a safety file: a response to a prompt labelled safe or unsafe.</summary>
/// <param name="Id">The line's <c>id</c>, or FILE-LINE.</param>
/// <param name="Prompt">The user's request.</param>
/// <param name="Response">The assistant's answer.</param>
/// <param name="Safe">True for the label <c>safe</c>, false for <c>unsafe</c>.</param>
/// <param name="Category">The taxonomy category (<c>category</c>; empty when the file gives none).</param>
public sealed record SafetyExample(string Id, string Prompt, string Response, bool Safe, string Category);
