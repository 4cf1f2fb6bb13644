using System.Text;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Cli.Tests.Replay;

/// <summary>TensorBoard gets what `r1 replay` computes: every metrics.csv column, and the step's histograms.</summary>
public class TensorBoardLogTests
{
    [Fact]
    public void A_replayed_step_writes_every_metrics_csv_column_with_a_value_and_the_two_histograms()
    {
        string dir = Path.Combine(Path.GetTempPath(), "r1-tb-" + Guid.NewGuid().ToString("N"));
        try
        {
            var step = new SyntheticRun().Step(0, accuracy: 0.5, kl: null, (1, [("wait, let me check", 4, true), ("no", 2, false)])).Projection.Steps()[0];
            using (var log = new TensorBoardLog(dir))
            {
                log.Replayed(step, [0.7, -0.7], [4, 2]);
                log.Replayed(step with { Step = 1 }, [], []);   // no samples: scalars only, no empty histogram
            }
            string events = Encoding.Latin1.GetString(File.ReadAllBytes(Assert.Single(Directory.GetFiles(dir, "events.out.tfevents.*"))));
            Assert.Equal(2, Regex.Matches(events, "replay/reward_mean").Count);
            Assert.Equal(2, Regex.Matches(events, "replay/word_wait").Count);
            Assert.Equal(2, Regex.Matches(events, "replay/language_mixing").Count);
            Assert.Equal(2, Regex.Matches(events, "replay/accuracy_level_1").Count);  // the step's only level
            Assert.DoesNotContain("replay/accuracy_level_2", events);
            Assert.DoesNotContain("replay/kl", events);                 // an empty cell (no reference model) writes nothing
            Assert.DoesNotContain("replay/step", TensorBoardLog.ReplayTags);      // the step is the x axis, not a series
            Assert.Single(Regex.Matches(events, "train/advantages"));
            Assert.Single(Regex.Matches(events, "train/response_tokens"));
            Assert.Contains("replay/accuracy_with_reflection", TensorBoardLog.ReplayTags);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
