namespace DeepSeekR1.Actors.Rl.Training;

/// <summary>
/// Whether a finished group is something the learner can train on. A group that fails this would make the update
/// throw (or worse, index past an embedding table or spread a NaN through every weight), and it would fail the same way
/// after every restart, because the group is journaled; so the learner refuses it once, with this reason, instead.
/// </summary>
public static class RolloutGroupCheck
{
    /// <summary>
    /// Null when <paramref name="group"/> is well formed for a policy with <paramref name="vocabSize"/> tokens and a
    /// context of <paramref name="maxPositions"/>, with <paramref name="groupSize"/> outputs; else the first problem.
    /// </summary>
    public static string? Problem(RolloutGroup group, int groupSize, int vocabSize, int maxPositions)
    {
        if (group.Rollouts.Count != groupSize)
            return $"it has {group.Rollouts.Count} outputs, the run samples {groupSize} per group";
        if (group.PromptIds.Count == 0) return "its prompt is empty";
        if (FirstOutside(group.PromptIds, vocabSize) is { } p) return $"prompt token {p} is not a token id below {vocabSize}";
        var samples = new HashSet<int>();
        for (int i = 0; i < group.Rollouts.Count; i++)
        {
            var r = group.Rollouts[i];
            string which = $"output {r.Sample}";
            if (!samples.Add(r.Sample)) return $"{which} appears twice";
            if (!double.IsFinite(r.Reward)) return $"{which} has reward {r.Reward}";
            // Step s trains once s versions exist: a sample of a later version cannot belong to it.
            if (r.PolicyVersion > group.Step || r.PolicyVersion < 0)
                return $"{which} says policy version {r.PolicyVersion} sampled it, but step {group.Step + 1} trains on versions 0..{group.Step}";
            if (r.OldLogProbs.Count != r.CompletionIds.Count)
                return $"{which} has {r.OldLogProbs.Count} log-probs for {r.CompletionIds.Count} tokens";
            if (FirstOutside(r.CompletionIds, vocabSize) is { } t) return $"{which}: token {t} is not a token id below {vocabSize}";
            foreach (float lp in r.OldLogProbs)
                if (!(lp <= 1e-4f) || float.IsNegativeInfinity(lp)) return $"{which} has a sampling log-probability {lp} (must be finite and <= 0)";
            if (group.PromptIds.Count + r.CompletionIds.Count > maxPositions)
                return $"{which}: prompt and completion are {group.PromptIds.Count + r.CompletionIds.Count} tokens, the model's context is {maxPositions}";
        }
        return null;
    }

    private static int? FirstOutside(IReadOnlyList<int> ids, int vocabSize)
    {
        foreach (int id in ids)
            if (id < 0 || id >= vocabSize) return id;
        return null;
    }
}
