using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Rl.Distillation;
using DeepSeekR1.Actors.Rl.Evaluation;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// How far a rejection-sampling run (<c>r1 sample --out FILE</c>) got: <c>FILE.progress.json</c> records the questions
/// done, the verdict counts so far, and the length of <c>FILE.partial</c> (the kept lines so far) when that was
/// recorded, with a fingerprint of the checkpoint, settings, filters and questions. A run of the same command
/// continues after the last record (cutting the partial file back to the recorded length: a chunk that was being
/// written when the run died is sampled again); a record of another run is not used, and says so.
/// </summary>
internal sealed class SampleProgress(string outFile, string fingerprint)
{
    /// <summary>Where the kept lines go until the run is whole.</summary>
    public string Partial => outFile + ".partial";

    /// <summary>The progress record.</summary>
    public string File => outFile + ".progress.json";

    /// <summary>What the run has done so far.</summary>
    public sealed record State(int QuestionsDone, Dictionary<Verdict, int> Counts, int QuestionsWithAny, long PartialBytes, string Fingerprint)
    {
        /// <summary>The state after one more chunk.</summary>
        public State Add(int questions, RejectionOutcome outcome, long partialBytes) => this with
        {
            QuestionsDone = QuestionsDone + questions,
            Counts = Counts.ToDictionary(c => c.Key, c => c.Value + outcome.Counts.GetValueOrDefault(c.Key)),
            QuestionsWithAny = QuestionsWithAny + outcome.QuestionsWithAny,
            PartialBytes = partialBytes,
        };
    }

    /// <summary>A hash of what the run samples: the checkpoint (its manifest when it has one), the settings, the filters, the questions.</summary>
    public static string Fingerprint(string checkpoint, EvalSettings settings, RejectionFilters filters, IReadOnlyList<TaskItem> items)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string manifest = Path.Combine(checkpoint, CheckpointManifest.FileName);
        hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFullPath(checkpoint)));
        if (System.IO.File.Exists(manifest)) hash.AppendData(System.IO.File.ReadAllBytes(manifest));
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(settings) + JsonSerializer.Serialize(filters)));
        foreach (var item in items) hash.AppendData(Encoding.UTF8.GetBytes(item.Id + "\n"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The recorded state of this run, or a fresh one (saying why an existing record is not used).</summary>
    public State Load(TextWriter error)
    {
        var fresh = new State(0, Enum.GetValues<Verdict>().ToDictionary(v => v, _ => 0), 0, 0, fingerprint);
        if (!System.IO.File.Exists(File)) return fresh;
        try
        {
            var saved = JsonSerializer.Deserialize<State>(System.IO.File.ReadAllText(File));
            if (saved is not null && saved.Fingerprint == fingerprint && System.IO.File.Exists(Partial) && new FileInfo(Partial).Length >= saved.PartialBytes)
                return saved with { Counts = fresh.Counts.ToDictionary(c => c.Key, c => saved.Counts.GetValueOrDefault(c.Key)) };
            error.WriteLine($"r1 sample: note: {File} records another run (or its partial file is short); starting over");
        }
        catch (JsonException e)
        {
            error.WriteLine($"r1 sample: note: {File} cannot be read ({e.Message}); starting over");
        }
        return fresh;
    }

    /// <summary>The partial file, cut back to what <paramref name="state"/> recorded and positioned at its end.</summary>
    public FileStream OpenPartial(State state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Partial))!);
        var stream = new FileStream(Partial, FileMode.OpenOrCreate, FileAccess.Write);
        stream.SetLength(state.PartialBytes);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>Records <paramref name="state"/> (written aside, then moved over the last record).</summary>
    public void Save(State state)
    {
        System.IO.File.WriteAllText(File + ".tmp", JsonSerializer.Serialize(state));
        System.IO.File.Move(File + ".tmp", File, overwrite: true);
    }

    /// <summary>The run is whole: the partial file becomes the output, and the record goes.</summary>
    public void Finish()
    {
        System.IO.File.Move(Partial, outFile, overwrite: true);
        System.IO.File.Delete(File);
    }
}
