using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Rl.Grpo;

namespace DeepSeekR1.Actors.Engine.Replay;

/// <summary>
/// What one number per step cannot show: the distribution over a step's samples of their advantages and of their
/// response lengths. Lengths come from each sample's <see cref="RolloutRecorded"/>. Advantages are the learner's to
/// compute and it journals none (a <see cref="GroupFinished"/> of today carries an empty list): when a group finishes,
/// they are computed from its journaled rewards with the run's <see cref="AdvantageScaling"/>, by the same function
/// the learner uses (<see cref="GroupAdvantages.Compute"/>); a journal whose GroupFinished carries them is read as is.
/// Fed the run's events in journal order next to a <see cref="RunProjection"/>; a step's values are handed out once by
/// <see cref="Take"/> and then forgotten, so a follower of a long run holds only the steps it has not written yet.
/// </summary>
/// <param name="scaling">The run's advantage scaling (r1.grpo.advantage-scaling).</param>
public sealed class StepDistributions(AdvantageScaling scaling)
{
    private sealed record Group(long Step)
    {
        public SortedDictionary<int, double> Rewards { get; } = [];   // by sample
        public bool Finished { get; set; }
    }

    // A step's samples so far: lengths as recorded, and each finished group's rewards (or journaled advantages).
    private sealed class StepValues
    {
        public List<double> Lengths { get; } = [];
        public List<IReadOnlyList<double>> GroupRewards { get; } = [];
        public List<double> JournaledAdvantages { get; } = [];
    }

    private readonly Dictionary<string, Group> groups = [];                                   // by persistence id
    private readonly Dictionary<long, StepValues> steps = [];

    /// <summary>Takes the next event of the run (others than groups' are ignored).</summary>
    public void Apply(JournalEvent e)
    {
        switch (e.Event)
        {
            case GroupStarted started:
                groups.TryAdd(e.PersistenceId, new Group(started.Step));
                break;
            // A sample or a finish counts once, however often a resumed group journaled it.
            case RolloutRecorded recorded when groups.TryGetValue(e.PersistenceId, out var group) && group.Rewards.TryAdd(recorded.Rollout.Sample, recorded.Rollout.Reward):
                Of(group.Step).Lengths.Add(recorded.Rollout.CompletionIds.Count);
                break;
            case GroupFinished finished when groups.TryGetValue(e.PersistenceId, out var group) && !group.Finished:
                group.Finished = true;
                if (finished.Advantages.Count > 0) Of(group.Step).JournaledAdvantages.AddRange(finished.Advantages);
                else if (group.Rewards.Count > 0) Of(group.Step).GroupRewards.Add(group.Rewards.Values.ToArray());
                break;
        }
    }

    /// <summary>
    /// The advantages and response lengths (tokens) of every sample of <paramref name="step"/> seen so far; the step's
    /// values and groups are dropped afterwards (a second call gets empty lists). Advantages are computed here, over the
    /// step's finished groups together, since batch-std scaling needs them all.
    /// </summary>
    public (IReadOnlyList<double> Advantages, IReadOnlyList<double> ResponseTokens) Take(long step)
    {
        foreach (var id in groups.Where(g => g.Value.Step == step).Select(g => g.Key).ToArray()) groups.Remove(id);
        if (!steps.Remove(step, out var values)) return ([], []);
        var computed = GroupAdvantages.ComputeBatch(values.GroupRewards, scaling).SelectMany(a => a);
        return ([.. values.JournaledAdvantages, .. computed], values.Lengths);
    }

    private StepValues Of(long step)
    {
        if (!steps.TryGetValue(step, out var values)) steps[step] = values = new StepValues();
        return values;
    }
}
