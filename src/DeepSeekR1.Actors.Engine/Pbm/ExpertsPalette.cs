using System.Globalization;
using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Experts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Policy.Moe;

namespace DeepSeekR1.Actors.Engine.Pbm;

/// <summary>
/// The <c>experts</c> palette: where the hosted run's routed experts live (<c>experts shards</c>) and how they were
/// loaded over the last steps (<c>experts load</c>, from the learner's journaled <c>ExpertLoadRecorded</c> events).
/// Steps are numbered from 1, as <c>r1 train</c> prints them.
/// </summary>
internal static class ExpertsPalette
{
    public static PbmPalette Create(EngineRun run, RunJournal journal, ActorSystem system)
    {
        var palette = new Palette(run, journal, system);
        return new("experts", "A MoE policy's routed experts: their shards and their load",
        [
            new(new("shards", "Each expert shard: the experts it holds, where it runs, its parameter bytes and the last step it applied", []), palette.Shards),
            new(new("load", "Tokens per routed expert and the balancing bias, per MoE layer, over the last steps",
                [new("last", "How many of the last steps (default 5)"), new("id", $"The run id (default: {run.RunId}, the run this node hosts)")]), palette.Load),
        ]);
    }

    private sealed class Palette(EngineRun run, RunJournal journal, ActorSystem system)
    {
        public async Task Shards(PbmInvocation invocation)
        {
            var config = PolicyShape() ?? throw new PbmException($"run {run.RunId} has no initial checkpoint yet, so its policy's shape is unknown; try again once it started");
            if (!run.Experts.ShardsExpertsOf(config))
                throw new PbmException(config.MoeLayers.Count == 0
                    ? $"run {run.RunId}'s policy is dense: it has no routed experts to shard"
                    : $"run {run.RunId} keeps its routed experts in their layers (r1.experts.shards = 0)");
            var placement = ExpertPlacement.For(config, run.Experts.Shards);
            var applied = await journal.Applied(run.RunId, invocation.Cancellation);
            // fp32 weights on the learner: three matrices of hidden x moe-intermediate per expert and layer.
            long perExpert = 3L * config.HiddenSize * config.MoeIntermediateSize * sizeof(float);
            var table = new PbmTable("shard", "experts", "layers", "node", "parameter_bytes", "last_step_applied");
            if (run.Experts.Location == ExpertLocation.InProcess)
            {
                for (int s = 0; s < placement.Shards; s++)
                    table.Add(s, string.Join(",", placement.ExpertsOf(s)), string.Join(",", placement.MoeLayers),
                        "in-process with the learner", perExpert * placement.ExpertsOf(s).Count * placement.MoeLayers.Count,
                        applied.Count > 0 ? applied[^1].Step + 1 : null);
                await invocation.Send(table.ToFrame("in-process shards apply each step with the learner, in its checkpoint"));
                return;
            }
            // Shard actors on experts nodes: where each answers from now, and the last update its own journal holds.
            long updatesPerStep = (long)run.Grpo.Epochs * run.Grpo.MiniBatches;
            var directory = new ClusterExpertDirectory(system);
            for (int s = 0; s < placement.Shards; s++)
            {
                var status = (await ExpertShardLookup.Find(system, directory, run.RunId, s, TimeSpan.FromSeconds(3), invocation.Cancellation))?.Status;
                var saved = await journal.LastShardSave(run.RunId, s, invocation.Cancellation);
                long? lastUpdate = status?.LastUpdate ?? saved?.Update;
                table.Add(s, string.Join(",", placement.ExpertsOf(s)), string.Join(",", placement.MoeLayers),
                    status?.Node ?? "not answering", status?.ParameterBytes ?? perExpert * placement.ExpertsOf(s).Count * placement.MoeLayers.Count,
                    lastUpdate is long u && u > 0 ? (u + updatesPerStep - 1) / updatesPerStep : null);
            }
            await invocation.Send(table.ToFrame($"shard actors on the experts nodes; a step is {updatesPerStep} update(s) of each shard, journaled by the shard"));
        }

        public async Task Load(PbmInvocation invocation)
        {
            string runId = invocation.Option("id") ?? run.RunId;
            int last = invocation.PositiveInt("last", 5);
            var loads = await journal.ExpertLoads(runId, invocation.Cancellation);
            var table = new PbmTable("step", "layer", "max_over_mean", "tokens_per_expert", "bias_min", "bias_max");
            foreach (var load in loads.Skip(Math.Max(0, loads.Count - last)))
                foreach (var layer in load.Layers)
                {
                    double mean = layer.Tokens.Count > 0 ? layer.Tokens.Average() : 0;
                    table.Add(load.Step + 1, layer.Layer, mean > 0 ? layer.Tokens.Max() / mean : null,
                        string.Join(",", layer.Tokens.Select(t => t.ToString(CultureInfo.InvariantCulture))),
                        layer.Bias.Count > 0 ? layer.Bias.Min() : null, layer.Bias.Count > 0 ? layer.Bias.Max() : null);
                }
            await invocation.Send(table.ToFrame(loads.Count == 0
                ? $"no expert load journaled for run {runId} (a dense policy, or no step applied yet)"
                : $"last {Math.Min(last, loads.Count)} of {loads.Count} step(s); max_over_mean 1 is perfect balance"));
        }

        private ModelConfig? PolicyShape()
        {
            string json = Path.Combine(run.Layout.Checkpoint(0), "config.json");
            return File.Exists(json) ? HfConfigJson.Read(json) : null;
        }
    }
}
