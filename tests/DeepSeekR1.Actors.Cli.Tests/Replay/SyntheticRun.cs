using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;

namespace DeepSeekR1.Actors.Cli.Tests.Replay;

/// <summary>Builds a replayed run from hand-written events, so the writers can be checked against known values.</summary>
internal sealed class SyntheticRun
{
    private long offset;

    public RunProjection Projection { get; } = new();

    public SyntheticRun(int steps = 3)
    {
        Apply("run-syn", new RunStarted("syn", 7, steps, 2, 2, "arithmetic", "r1 {}"));
    }

    private void Apply(string persistenceId, object e) =>
        Projection.Apply(new JournalEvent(persistenceId, ++offset, offset, DateTimeOffset.UnixEpoch.AddSeconds(offset), ContractCodec.ManifestOf(e.GetType()), e));

    /// <summary>One step: a group per (level, completions), the learner's metrics with the given accuracy and KL.</summary>
    public SyntheticRun Step(long step, double accuracy, double? kl, params (int Level, (string Text, int Tokens, bool Correct)[] Samples)[] groups)
    {
        Apply("run-syn", new StepStarted("syn", step, step));
        for (int g = 0; g < groups.Length; g++)
        {
            string pid = $"group-syn/s{step:D6}-g{g:D4}";
            var question = new QuestionData($"q{g}", "1+1", "2", AnswerKind.Math, groups[g].Level, "en", []);
            Apply(pid, new GroupStarted("syn", step, g, question, [1, 2], groups[g].Samples.Length, step, "ckpt"));
            for (int s = 0; s < groups[g].Samples.Length; s++)
            {
                var (text, tokens, correct) = groups[g].Samples[s];
                Apply(pid, new RolloutRecorded(pid[6..], new RolloutData(s, Enumerable.Repeat(5, tokens).ToArray(), new float[tokens], FinishReason.Stop, text, correct ? 1 : 0, correct, true, null, step)));
            }
        }
        var metrics = new MetricsData(groups.Length, 4, 1, accuracy, 0.5, accuracy, 0, kl, 0.01, 0.02, 1, null, 10, 12, 0.3, 1e-4, 0.05, 1.5);
        Apply("learner-syn", new StepApplied("syn", step, metrics, $"ckpt-{step + 1}", "sha"));
        return this;
    }

    public SyntheticRun Finish(int steps)
    {
        Apply("run-syn", new RunFinished("syn", steps, "ckpt"));
        return this;
    }
}
