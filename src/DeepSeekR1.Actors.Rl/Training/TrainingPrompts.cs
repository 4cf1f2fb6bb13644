using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// Which questions a step trains on, as a pure function of (run seed, step, index): a resumed run, or another engine,
/// asks for the same step and gets the same questions. Generated tasks are an endless stream (step x prompts + index);
/// file-backed ones are shuffled per epoch without repetition.
/// </summary>
public sealed class TrainingPrompts
{
    private readonly GeneratedTask? generated;
    private readonly IReadOnlyList<TaskItem>? pool;
    private readonly ulong runSeed;
    private readonly int promptsPerStep;

    /// <summary>Prompts from <paramref name="source"/>'s train split.</summary>
    public TrainingPrompts(ITaskSource source, ulong runSeed, int promptsPerStep)
    {
        this.runSeed = runSeed;
        this.promptsPerStep = promptsPerStep;
        if (source is GeneratedTask g) generated = g;
        else
        {
            pool = source.Items(TaskSplit.Train, runSeed).ToList();
            if (pool.Count == 0 && source is BenchmarkTaskSource)
                throw new ArgumentException($"task '{source.Name}' is a benchmark: it has no training questions (evaluate with it; train on a data set such as math:PATH)");
            if (pool.Count < promptsPerStep)
                throw new ArgumentException($"task '{source.Name}' has {pool.Count} training items, fewer than prompts-per-step ({promptsPerStep})");
        }
    }

    /// <summary>The questions of <paramref name="step"/>, in group order.</summary>
    public IReadOnlyList<TaskItem> ForStep(long step)
    {
        if (generated is not null)
            return Enumerable.Range(0, promptsPerStep)
                .Select(i => generated.ItemAt(TaskSplit.Train, Seeds.Derive(runSeed, "prompts"), step * promptsPerStep + i).Item)
                .ToArray();
        var indices = PromptSelection.Batch(Seeds.Derive(runSeed, "prompts"), step, promptsPerStep, pool!.Count);
        return indices.Select(i => pool[i]).ToArray();
    }
}
