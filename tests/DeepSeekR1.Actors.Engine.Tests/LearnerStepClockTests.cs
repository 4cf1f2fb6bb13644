using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Engine.Sharding;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// When the learner's clock for a step starts: at the run's <see cref="StepOpened"/>, so a pause before the step is not
/// reported as its sampling time. Alone in its collection: the wait it measures is a few milliseconds between two
/// messages, which other tests' engines on the same tensor thread would stretch.
/// </summary>
[Collection(TorchThreadCounts.Name)]
public sealed class LearnerStepClockTests() : JournaledTestKit("step-clock")
{
    private EntityHarness Context(string runId) =>
        new(TinyRuns.Run(DataPath, runId), EngineSettings.From(Sys.Settings.Config))
        {
            WorkQueue = CreateTestProbe().Ref, Verifiers = CreateTestProbe().Ref, Learner = CreateTestProbe().Ref,
            Runs = CreateTestProbe().Ref, PubSub = CreateTestProbe().Ref,
        };

    [Fact]
    public async Task The_learner_times_a_step_from_when_the_run_opened_it_so_a_pause_before_is_not_sampling_time()
    {
        // What the learner reports as the step's wait for samples (its sampling time), for these two runs only.
        var waits = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        // Create the instrument first: published from inside EngineMetrics' static constructor, it would be compared
        // with a field that is not assigned yet.
        var instrumentOfWaits = EngineMetrics.WaitSeconds;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == instrumentOfWaits) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "run", Value: "opened" or "unopened" }) waits[(string)tag.Value!] = value;
        });
        listener.Start();

        var pause = TimeSpan.FromSeconds(1.5);
        foreach (string runId in (string[])["unopened", "opened"])
        {
            var context = Context(runId);
            var sampled = EntityRecoveryTests.SampleStep0(context);
            var learner = Sys.ActorOf(context.LearnerProps());
            learner.Tell(new QueryLearner(runId, -1));
            ExpectMsg<LearnerProgress>(TimeSpan.FromSeconds(30));   // recovered, policy loaded, waiting for step 0
            await Task.Delay(pause);                                  // the run is paused before it opens step 0
            if (runId == "opened") learner.Tell(new StepOpened(runId, 0));
            foreach (var g in sampled) learner.Tell(new DeliverGroup(EntityIds.Group(runId, 0, g.Index), GroupData.From(g)));
            ReceiveN(sampled.Count, TimeSpan.FromSeconds(30));        // accepted: the step is applied
        }

        // Without the run's word the pause counts as sampling; with it, the step's clock starts when the step opened.
        Assert.True(waits.ContainsKey("unopened") && waits.ContainsKey("opened"), $"measured: {string.Join(", ", waits)}");
        // (A timer may end a delay a hair before a stopwatch counts it whole: 0.9 of the pause is the bound.)
        Assert.True(waits["unopened"] >= 0.9 * pause.TotalSeconds, $"wait {waits["unopened"]} s");
        Assert.True(waits["opened"] < pause.TotalSeconds / 3, $"wait {waits["opened"]} s");
        var applied = Assert.Single((await JournalProbe.Events(Sys, "learner-opened")).OfType<StepApplied>());
        var unopened = Assert.Single((await JournalProbe.Events(Sys, "learner-unopened")).OfType<StepApplied>());
        Assert.True(unopened.Metrics.StepSeconds >= 0.9 * pause.TotalSeconds);
        Assert.True(applied.Metrics.StepSeconds < unopened.Metrics.StepSeconds);
    }

}
