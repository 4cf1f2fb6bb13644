namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>A named source of questions with disjoint train and held-out splits.</summary>
public interface ITaskSource
{
    /// <summary>The name the <see cref="TaskCatalog"/> knows it by, for example <c>countdown</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The items of one split. Generated tasks yield an unbounded sequence in which the item at each
    /// index is fixed by (<paramref name="seed"/>, index), so take as many as needed; file-backed
    /// sources yield the file's items in file order and ignore the seed.
    /// </summary>
    /// <param name="split">Which split.</param>
    /// <param name="seed">Seed of the generated sequence (see <see cref="Data.Seeds"/>).</param>
    /// <returns>The items, produced lazily.</returns>
    IEnumerable<TaskItem> Items(TaskSplit split, ulong seed);

    /// <summary>
    /// Whether any of its items is a <see cref="AnswerKind.General"/> prompt, which only reward models can score: a run
    /// of such a task refuses to start without them (<see cref="RewardModels.ModelRewardSettings.RequireFor"/>).
    /// </summary>
    bool HasGeneralPrompts => false;
}
