using System.Diagnostics;
using DeepSeekR1.Actors.Model.Policy;
using DeepSeekR1.Actors.Model.Training;
using static TorchSharp.torch;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// <c>r1 bench learner</c>: forward + backward throughput of the learner's step (token log-probs of a full batch, a
/// loss on them, backward) and the model FLOP utilisation against the measured matmul peak. FLOPs per token follow the
/// PaLM accounting: 6 x active parameters for the matmuls plus 12 x layers x hidden x sequence for attention.
/// </summary>
public static class LearnerBenchmark
{
    /// <summary>Runs the benchmark and returns its JSON fields.</summary>
    public static Dictionary<string, object> Run(PolicyModel model, BenchSettings settings)
    {
        model.train();
        double peak = MatmulPeak.MeasureFlopsPerSecond(model.Device);
        int batch = settings.LearnerBatch, seq = settings.LearnerSeq;
        var config = model.Config;
        using var scope = NewDisposeScope();
        var ids = randint(3, config.VocabSize, [batch, seq], device: model.Device);
        var valid = ones([batch, seq], ScalarType.Bool, model.Device);
        var scored = ones([batch, seq], ScalarType.Bool, model.Device);

        double Step()
        {
            var clock = Stopwatch.StartNew();
            using var stepScope = NewDisposeScope();
            using var scores = TokenLogProbs.Compute(model, ids, valid, scored, chunkRows: 4096);
            var loss = -scores.LogProbs.sum() / (batch * (seq - 1));
            loss.backward();
            model.zero_grad();
            return clock.Elapsed.TotalSeconds;
        }

        Step();                                                  // warm-up
        double best = Enumerable.Range(0, settings.Repeats).Min(_ => Step());
        double tokens = (double)batch * seq;
        double flopsPerToken = 6.0 * model.ActiveParameters() + 12.0 * config.NumLayers * config.HiddenSize * seq;
        double achieved = tokens * flopsPerToken / best;
        return new Dictionary<string, object>
        {
            ["benchmark"] = "learner",
            ["batch"] = batch,
            ["seq"] = seq,
            ["step_seconds"] = Math.Round(best, 4),
            ["tokens_per_s"] = Math.Round(tokens / best, 1),
            ["achieved_gflops"] = Math.Round(achieved / 1e9, 2),
            ["matmul_gflops"] = Math.Round(peak / 1e9, 2),
            ["mfu"] = Math.Round(achieved / peak, 3),
            ["active_params"] = model.ActiveParameters(),
            ["threads"] = get_num_threads(),
            ["device"] = model.Device.ToString(),
        };
    }
}
