using System.Text.Json;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Rewards;

/// <summary>Which gold-answer convention a scoring job's input uses.</summary>
public enum RewardScoringTask
{
    /// <summary>The gold is a math answer as written (<c>\frac{3}{4}</c>, <c>18</c>, ...).</summary>
    Math,

    /// <summary>The gold may be a raw GSM8K answer field ending in <c>#### n</c>; a plain number is taken as is.</summary>
    Gsm8k,

    /// <summary>The gold is a code task's tests, one <c>assert CALL == EXPECTED</c> per line; the completion's program runs in the sandbox.</summary>
    Code,
}

/// <summary>
/// Scores a JSONL file of completions, as <c>r1 reward score --task math|gsm8k|code --input FILE.jsonl</c> does. Each
/// input line is an object with string fields <c>gold</c> and <c>completion</c> (and optionally <c>language</c>);
/// each output line is a JSON object with <c>line</c>, <c>accuracy</c>, <c>format</c>, <c>language</c>,
/// <c>total</c>, <c>answer</c> and <c>reason</c>, in input order. A malformed line produces
/// <c>{"line": n, "error": "FILE:n: problem"}</c> and scoring goes on; blank lines are skipped.
/// </summary>
public sealed class RewardScoringJob
{
    private readonly RewardScoringTask _task;
    private readonly RewardComposer _composer;

    /// <summary>Creates a job.</summary>
    /// <param name="task">The gold-answer convention.</param>
    /// <param name="weights">Reward weights for the <c>total</c> column; R1-Zero's when null.</param>
    /// <param name="thinkTagInPrompt">Whether completions follow a prompt that already opened <c>&lt;think&gt;</c>.</param>
    /// <param name="code">The sandbox code answers run in (<see cref="RewardScoringTask.Code"/>); without it they score 0 with a reason.</param>
    public RewardScoringJob(RewardScoringTask task, RewardWeights? weights = null, bool thinkTagInPrompt = false, Code.CodeRewards? code = null)
    {
        _task = task;
        _composer = new RewardComposer(weights ?? RewardWeights.R1Zero, thinkTagInPrompt: thinkTagInPrompt, code: code);
    }

    /// <summary>Parses a task name as the CLI spells it (<c>math</c>, <c>gsm8k</c> or <c>code</c>, case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="task">The task on success.</param>
    public static bool TryParseTask(string? name, out RewardScoringTask task)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "math":
                task = RewardScoringTask.Math;
                return true;
            case "gsm8k":
                task = RewardScoringTask.Gsm8k;
                return true;
            case "code":
                task = RewardScoringTask.Code;
                return true;
            default:
                task = RewardScoringTask.Math;
                return false;
        }
    }

    /// <summary>Scores every line of <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <param name="input">The JSONL input.</param>
    /// <param name="output">Where the JSONL results go, one line per non-blank input line.</param>
    /// <param name="fileName">The input's name, for error messages (<c>FILE:LINE: problem</c>).</param>
    /// <returns>True when at least one line was malformed (the CLI exits with code 2 then).</returns>
    public bool Run(TextReader input, TextWriter output, string fileName)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var anyMalformed = false;
        var lineNumber = 0;
        var total = System.Diagnostics.Stopwatch.StartNew();
        var (lines, slowestLine, slowestSeconds, firstSeconds) = (0, 0, 0.0, 0.0);
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = TryReadLine(line, out var gold, out var completion, out var language, out var problem)
                && TryResolveGold(gold, out var resolvedGold, out problem)
                    ? Score(lineNumber, resolvedGold, completion, language)
                    : Error(lineNumber, $"{fileName}:{lineNumber}: {problem}");
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            // The first line also pays for loading and compiling the verifier: it is reported on its own.
            if (++lines == 1) firstSeconds = seconds;
            else if (seconds > slowestSeconds) (slowestLine, slowestSeconds) = (lineNumber, seconds);
            anyMalformed |= problem is not null;
            output.WriteLine(result);
        }
        output.Flush();
        Summary = new RewardScoringSummary(lines, total.Elapsed.TotalSeconds, slowestLine, slowestSeconds, firstSeconds);
        return anyMalformed;
    }

    /// <summary>How the last <see cref="Run"/> went: lines scored, the time, and the slowest line (the verifier's time budget bounds it).</summary>
    public RewardScoringSummary? Summary { get; private set; }

    private static bool TryReadLine(string line, out string gold, out string completion, out string language, out string? problem)
    {
        gold = completion = "";
        language = "en";
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException error)
        {
            problem = $"invalid JSON ({error.Message})";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = $"expected a JSON object, found {root.ValueKind}";
                return false;
            }
            if (!TryGetString(root, "gold", out gold, out problem) || !TryGetString(root, "completion", out completion, out problem))
                return false;
            if (root.TryGetProperty("language", out var lang) && lang.ValueKind == JsonValueKind.String)
                language = lang.GetString() ?? "en";
            return true;
        }
    }

    private static bool TryGetString(JsonElement root, string name, out string value, out string? problem)
    {
        value = "";
        problem = null;
        if (!root.TryGetProperty(name, out var element))
        {
            problem = $"missing field '{name}'";
            return false;
        }
        // A number is an acceptable gold ("gold": 18); anything else must be a string.
        if (element.ValueKind == JsonValueKind.Number && name == "gold")
        {
            value = element.GetRawText();
            return true;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            problem = $"field '{name}' must be a string, found {element.ValueKind}";
            return false;
        }
        value = element.GetString() ?? "";
        return true;
    }

    /// <summary>For GSM8K, a raw answer field becomes the number after <c>####</c>; other golds pass through.</summary>
    private bool TryResolveGold(string gold, out string resolved, out string? problem)
    {
        resolved = gold;
        problem = null;
        if (_task != RewardScoringTask.Gsm8k || !gold.Contains("####", StringComparison.Ordinal))
            return true;
        if (Gsm8kGold.TryParse(gold, out resolved))
            return true;
        problem = "gold has '####' but no number after it";
        return false;
    }

    private string Score(int lineNumber, string gold, string completion, string language)
    {
        var item = new TaskItem($"line-{lineNumber}", "", gold, _task == RewardScoringTask.Code ? AnswerKind.Code : AnswerKind.Math, Language: language);
        var scored = _composer.Score(item, completion);
        var reason = $"accuracy: {scored.Accuracy.Reason}; format: {scored.Format.Reason}";
        return Write(writer =>
        {
            writer.WriteNumber("line", lineNumber);
            writer.WriteNumber("accuracy", scored.Accuracy.Value);
            writer.WriteNumber("format", scored.Format.Value);
            writer.WriteNumber("language", Math.Round(scored.Language.Value, 6));
            writer.WriteNumber("total", Math.Round(scored.Total, 6));
            if (scored.Answer is null)
                writer.WriteNull("answer");
            else
                writer.WriteString("answer", scored.Answer);
            writer.WriteString("reason", reason);
        });
    }

    private static string Error(int lineNumber, string message) => Write(writer =>
    {
        writer.WriteNumber("line", lineNumber);
        writer.WriteString("error", message);
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        // People read these lines: "<think>" stays "<think>", not "\u003Cthink\u003E" (the output is never embedded in HTML).
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
