using System.Diagnostics;
using DeepSeekR1.Actors.Cli.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench overhead</c>: the same small run (r1.grpo and r1.sampling, r1.bench.overhead-steps steps, a random
/// r1.model) on the inline loop and on the actor engine, and the ratio of their seconds per step. Seconds per step are
/// measured in the steady state, from the end of the first step to the end of the last, so one-time costs (starting the
/// ActorSystem, the learner's first checkpoint, warm-up) stay out; the actor figure covers everything a step costs there
/// (messages, journal writes, a checkpoint per step, samplers loading it). Both runs must compute the same losses, or
/// the comparison means nothing: the largest difference is reported. Where the actor engine's time goes is reported too,
/// per timed step: sampling (first batch handed to a sampler until the update starts; scoring and journaling overlap
/// it), the update, the checkpoint write, and everything between a step's journaling and the next step's first batch
/// (messages, journal round trips, the sampler loading the new version, batching linger). The inline loop's sampling
/// and update seconds are its own measurement of the same phases. A few untimed inline steps come first
/// (r1.bench.overhead-warmup-steps): a process's first steps run slower, and without them the engine that runs first
/// would pay for that.
/// </summary>
public static class OverheadBenchmark
{
    /// <summary>Runs both engines and returns the JSON fields.</summary>
    public static async Task<Dictionary<string, object>> Run(R1Config config, PolicyRuntime runtime, BenchSettings settings)
    {
        int steps = settings.OverheadSteps;
        if (steps < 2) throw new ConfigException("r1.bench.overhead-steps must be at least 2 (the first step is warm-up)");
        var runSettings = Commands.RunSettings.From(config);
        var grpo = (runSettings.Grpo with { Steps = steps }).Validate();
        var (sampling, seed) = (runSettings.Sampling, runSettings.Seed);
        var task = TaskCatalog.Get(grpo.Task, string.IsNullOrEmpty(grpo.Data) ? null : grpo.Data, config.Bind<QaJsonlFields>("r1.jsonl"));

        if (settings.OverheadWarmupSteps < 0) throw new ConfigException("r1.bench.overhead-warmup-steps must be 0 or more");
        // The inline loop runs on the tensor thread that the actor engine's samplers and learner use afterwards: both
        // engines compute on the same thread, as `r1 train` does (TorchThread says why that matters).
        void RunInline(int inlineSteps, Action<StepResult> onStep) => TorchThread.Shared.Invoke(() =>
        {
            using var policy = PolicyFactory.CreateRandom(config, runtime);
            using var trainer = new InlineGrpoTrainer(policy, runtime.Tokenizer, task, grpo with { Steps = inlineSteps }, sampling, seed, runSettings.Experts);
            foreach (var result in trainer.Run()) onStep(result);
        });
        if (settings.OverheadWarmupSteps > 0) RunInline(settings.OverheadWarmupSteps, _ => { });

        var clock = Stopwatch.StartNew();
        var inlineEnds = new List<double>();
        var inlineLosses = new List<double>();
        var inlinePhases = new List<(double Sampling, double Update)>();
        RunInline(steps, result =>
        {
            inlineEnds.Add(clock.Elapsed.TotalSeconds);
            inlineLosses.Add(result.Metrics.Loss);
            inlinePhases.Add((result.SamplingSeconds, result.Metrics.StepSeconds - result.SamplingSeconds));
        });
        double inlineSeconds = SteadyStepSeconds(inlineEnds);

        var dataDir = Directory.CreateTempSubdirectory("r1-bench-overhead-");
        try
        {
            var run = new EngineRun
            {
                RunId = "overhead", RunDirectory = Path.Combine(dataDir.FullName, "runs", "overhead"), Grpo = grpo, Sampling = sampling, Experts = runSettings.Experts,
                Seed = seed, Task = task, Tokenizer = runtime.Tokenizer, Device = runtime.Device, Dtype = PolicyFactory.DtypeOf(config),
                InitialPolicy = () => PolicyFactory.CreateRandom(config, runtime),
            };
            var actorEnds = new List<double>();
            var markers = new List<(double Seconds, string Marker)>();
            var observer = new EngineObserver
            {
                OnStep = (_, _) => { lock (actorEnds) actorEnds.Add(clock.Elapsed.TotalSeconds); },
                OnMarker = marker => { lock (markers) markers.Add((clock.Elapsed.TotalSeconds, marker)); },
            };
            var withMarkers = Akka.Configuration.ConfigurationFactory.ParseString("r1.engine.markers = on").WithFallback(config.Root);
            await using var host = await EngineHost.StartAsync(run, dataDir.FullName, withMarkers, observer);
            var outcome = await host.RunAsync();
            double actorSeconds = SteadyStepSeconds(actorEnds);
            double maxLossDifference = inlineLosses.Zip(outcome.Metrics, (a, b) => Math.Abs(a - b.Loss)).Max();
            var actorPhases = ActorPhases.FromMarkers(markers, steps);
            double inlineUpdate = inlinePhases.Skip(1).Average(p => p.Update);
            return new Dictionary<string, object>
            {
                ["benchmark"] = "overhead",
                ["steps"] = steps,
                ["prompts_per_step"] = grpo.PromptsPerStep,
                ["group_size"] = grpo.GroupSize,
                ["actor_step_seconds"] = Math.Round(actorSeconds, 3),
                ["inline_step_seconds"] = Math.Round(inlineSeconds, 3),
                ["ratio"] = Math.Round(actorSeconds / inlineSeconds, 3),
                // The same ratio with the actor engine's GRPO update charged at the inline loop's time: both call the same
                // GrpoLearner.Step, so this isolates what the actors add (messages, journal, checkpoints, batching).
                ["ratio_at_inline_update"] = Math.Round((actorSeconds - actorPhases.Update + inlineUpdate) / inlineSeconds, 3),
                ["max_loss_difference"] = maxLossDifference,
                ["inline_sampling_seconds"] = Math.Round(inlinePhases.Skip(1).Average(p => p.Sampling), 3),
                ["inline_update_seconds"] = Math.Round(inlineUpdate, 3),
                ["actor_sampling_seconds"] = Math.Round(actorPhases.Sampling, 3),
                ["actor_generation_seconds"] = Math.Round(actorPhases.Generation, 3),
                ["actor_update_seconds"] = Math.Round(actorPhases.Update, 3),
                ["actor_checkpoint_seconds"] = Math.Round(actorPhases.Checkpoint, 3),
                ["actor_between_steps_seconds"] = Math.Round(actorPhases.Between, 3),
            };
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    private static double SteadyStepSeconds(IReadOnlyList<double> stepEnds) => (stepEnds[^1] - stepEnds[0]) / (stepEnds.Count - 1);
}
