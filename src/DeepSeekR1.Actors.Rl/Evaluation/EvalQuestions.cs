using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Evaluation;

/// <summary>Picks the questions an evaluation runs on.</summary>
public static class EvalQuestions
{
    /// <summary>
    /// The first <see cref="EvalSettings.Limit"/> items of <paramref name="source"/>'s split (all of them when the limit
    /// is 0). A generated task's items are fixed by the seed and their index, so the same settings always give the same
    /// questions; and its held-out split is assigned by content, so no seed can put a training question in it.
    /// </summary>
    /// <param name="source">The task.</param>
    /// <param name="settings">Split, seed and limit.</param>
    /// <returns>The questions, in the task's order.</returns>
    /// <exception cref="ArgumentException">The limit is 0 for a generated task, whose splits never end.</exception>
    public static IReadOnlyList<TaskItem> Select(ITaskSource source, EvalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        var items = source.Items(settings.Split, settings.Seed);
        if (settings.Limit > 0) return items.Take(settings.Limit).ToArray();
        if (source is GeneratedTask)
            throw new ArgumentException($"task '{source.Name}' generates questions without end: give a limit above 0", "limit");
        return items.ToArray();
    }
}
