using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepSeekR1.Actors.Cli.Bench;

/// <summary>
/// Mean seconds per timed step (every step but the first) that the actor engine spends in each phase, read from its
/// marker lines: <c>sampling step=N</c> (a sampler took a batch), <c>generated step=N</c> (its generation ended),
/// <c>update step=N</c>, <c>checkpoint step=N</c> and <c>applied step=N</c> (the learner's three stages).
/// </summary>
/// <param name="Sampling">First batch of the step until its update starts.</param>
/// <param name="Generation">The part of <paramref name="Sampling"/> until the step's last batch was generated; the rest
/// is scoring, journaling and handing the groups to the learner.</param>
/// <param name="Update">The GRPO update.</param>
/// <param name="Checkpoint">Writing the checkpoint and journaling the step.</param>
/// <param name="Between">From the previous step's journaling to this step's first batch.</param>
public sealed partial record ActorPhases(double Sampling, double Generation, double Update, double Checkpoint, double Between)
{
    /// <summary>Averages the phases of steps 2..<paramref name="steps"/> from time-stamped markers.</summary>
    public static ActorPhases FromMarkers(IReadOnlyList<(double Seconds, string Marker)> markers, int steps)
    {
        var first = new Dictionary<(string Kind, int Step), double>();
        var last = new Dictionary<(string Kind, int Step), double>();
        foreach (var (seconds, marker) in markers)
        {
            var match = MarkerPattern().Match(marker);
            if (!match.Success) continue;
            var key = (match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            first.TryAdd(key, seconds);
            last[key] = seconds;
        }
        double At(string kind, int step) => first.TryGetValue((kind, step), out double s) ? s
            : throw new InvalidOperationException($"the actor engine reported no '{kind} step={step}' marker");

        var timed = Enumerable.Range(2, steps - 1).ToArray();
        return new ActorPhases(
            timed.Average(s => At("update", s) - At("sampling", s)),
            timed.Average(s => (last.TryGetValue(("generated", s), out double g) ? g : At("update", s)) - At("sampling", s)),
            timed.Average(s => At("checkpoint", s) - At("update", s)),
            timed.Average(s => At("applied", s) - At("checkpoint", s)),
            timed.Average(s => At("sampling", s) - At("applied", s - 1)));
    }

    [GeneratedRegex(@"^(sampling|generated|update|checkpoint|applied) step=(\d+)")]
    private static partial Regex MarkerPattern();
}
