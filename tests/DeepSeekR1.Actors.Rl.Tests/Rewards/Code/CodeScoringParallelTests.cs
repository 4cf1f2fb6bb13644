using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Tasks;
using DeepSeekR1.Actors.Rl.Training;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>
/// A step's code outputs are scored in parallel sandboxes, never more at once than <c>max-parallel</c>, and each score
/// lands on its own output. The sandboxes running at a moment are counted from /proc: one PID namespace each.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CodeScoringParallelTests(SandboxFixture sandbox)
{
    private static readonly BuiltinTokenizer Tokenizer = BuiltinTokenizer.LoadEmbedded();

    private static string Completion(string body) => $"<think>x</think> <answer>\n```python\nimport time\ntime.sleep(0.5)\n{body}\n```\n</answer>";

    [Fact]
    public async Task Eight_outputs_run_in_parallel_sandboxes_up_to_the_limit_and_keep_their_order()
    {
        var scorer = new RolloutScorer(Tokenizer, RewardSets.For(RewardWeights.R1Zero, sandbox.Rewards));
        var requests = Enumerable.Range(0, 8).Select(i =>
        {
            string text = Completion(i % 2 == 0 ? "def add(a, b):\n    return a + b" : "def add(a, b):\n    return a - b");
            var ids = Tokenizer.Encode(text);
            Assert.Equal(text, Tokenizer.Decode(ids, skipSpecialTokens: true)); // the program reaches the scorer intact
            return new ScoringRequest(SandboxFixture.Add, i, new GenerationResult(ids, ids.Select(_ => -1f).ToArray(), FinishReason.Stop), 3);
        }).ToArray();

        int most = 0;
        using var done = new CancellationTokenSource();
        var watcher = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                most = Math.Max(most, RunningSandboxes(sandbox.Settings.Uid));
                Thread.Sleep(10);
            }
        });
        var scored = scorer.ScoreAll(requests);
        done.Cancel();
        await watcher;

        Assert.Equal(Enumerable.Range(0, 8), scored.Select(r => r.Sample));
        Assert.All(scored, r => Assert.Equal(r.Sample % 2 == 0, r.Correct));
        Assert.All(scored, r => Assert.Equal(3, r.PolicyVersion));
        Assert.InRange(most, 2, sandbox.Settings.MaxParallel);
    }

    [Fact]
    public void Math_outputs_are_scored_one_by_one_on_the_calling_thread()
    {
        Assert.Equal(1, RewardSets.For(RewardWeights.R1Zero, sandbox.Rewards).ParallelismFor(AnswerKind.Math));
        Assert.Equal(sandbox.Settings.MaxParallel, RewardSets.For(RewardWeights.R1Zero, sandbox.Rewards).ParallelismFor(AnswerKind.Code));
    }

    // Distinct PID namespaces of the sandbox user's python processes: one per running sandbox.
    private static int RunningSandboxes(int uid)
    {
        var namespaces = new HashSet<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "python3") continue;
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] != uid.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
                if (new FileInfo(Path.Combine(dir, "ns", "pid")).LinkTarget is { } ns) namespaces.Add(ns);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException) { }
        }
        return namespaces.Count;
    }
}
