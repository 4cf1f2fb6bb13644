namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>A generated question together with the generator's own solution and identity.</summary>
/// <param name="Item">The question as the RL loop sees it.</param>
/// <param name="Solution">A correct worked answer (for Countdown, an expression that reaches the target); usable as SFT data or to test checkers.</param>
/// <param name="CanonicalContent">What makes two items the same question; decides the split and the id.</param>
public sealed record GeneratedItem(TaskItem Item, string Solution, string CanonicalContent);
