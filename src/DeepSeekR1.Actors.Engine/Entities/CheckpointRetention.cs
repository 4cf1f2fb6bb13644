using DeepSeekR1.Actors.Rl.Grpo;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Entities;

/// <summary>
/// Which of a run's per-step checkpoints stay on disk. The actor engine writes one after every step, because that is
/// how samplers get the new policy; kept forever, a 150-step run of even the tiny model would leave about 1.5 GB. A
/// checkpoint is kept when something still needs it or the user asked for it:
/// <list type="bullet">
/// <item>version 0, the run's starting point;</item>
/// <item>the latest version: the samplers' current policy, and where the learner resumes after a crash;</item>
/// <item>in an asynchronous run, the <c>r1.async.max-staleness</c> versions before the latest, which groups started
/// ahead of the learner may still be sampling (a recovering group offers its missing samples at its own version);</item>
/// <item>the reference policy's version (the last multiple of <c>r1.grpo.reference-refresh-every</c>), which a
/// restarted learner rebuilds its reference from;</item>
/// <item>every multiple of <c>r1.grpo.checkpoint-every</c> (when it is positive), and the run's last step.</item>
/// </list>
/// </summary>
public static class CheckpointRetention
{
    /// <summary>Whether version <paramref name="version"/> stays once <paramref name="latest"/> is written.</summary>
    public static bool Keeps(long version, long latest, GrpoSettings grpo, int maxStaleness = 0)
    {
        if (version == 0 || version >= latest - maxStaleness || version == grpo.Steps) return true;
        if (grpo.CheckpointEvery > 0 && version % grpo.CheckpointEvery == 0) return true;
        return version == new ReferencePolicySchedule(grpo.ReferenceRefreshEvery).ReferenceVersion(latest);
    }
}
