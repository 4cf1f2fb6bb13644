namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>Which part of a task an item belongs to.</summary>
public enum TaskSplit
{
    /// <summary>Items the policy trains on.</summary>
    Train,

    /// <summary>Held-out items, used only for evaluation.</summary>
    Test,
}
