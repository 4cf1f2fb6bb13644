namespace DeepSeekR1.Actors.Rl.Safety;

/// <summary>
/// One category of the toy safety taxonomy (docs/reward-models.md): what it covers, requests that fall in it, the
/// words that flag them for risk review, and a warning a safe answer gives.
/// </summary>
/// <param name="Name">Short name, as written in the data files' <c>category</c>.</param>
/// <param name="Description">What the category covers, one sentence.</param>
/// <param name="Requests">Requests in the category; an unsafe category's requests are harmful, the benign one's are not.</param>
/// <param name="Keywords">Words that send a user turn of this category to the risk reviewer.</param>
/// <param name="Warning">What a safe, helpful answer says instead (the lawful alternative, where to get help).</param>
/// <param name="Harmful">Whether the category's requests are harmful (false only for <c>benign</c>).</param>
public sealed record SafetyCategory(string Name, string Description, IReadOnlyList<string> Requests, IReadOnlyList<string> Keywords,
    string Warning, bool Harmful);
