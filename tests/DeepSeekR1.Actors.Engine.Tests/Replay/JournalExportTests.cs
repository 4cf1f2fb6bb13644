using System.Text;
using System.Text.Json;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Replay;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Engine.Tests.Replay;

[Collection(ReplayedRun.Collection)]
public sealed class JournalExportTests(ReplayedRun run)
{
    [Fact]
    public async Task The_export_holds_every_event_of_the_run_and_each_decodes_back_to_the_journaled_contract()
    {
        string copy = run.CopyJournal();
        var journal = JournalFile.Read(copy).Where(r => JournalReader.BelongsTo(r.PersistenceId, ReplayedRun.RunId)).ToArray();

        using var output = new MemoryStream();
        long written;
        await using (var reader = JournalReader.Open(copy))
            written = await JournalExport.WriteJsonLinesAsync(reader, ReplayedRun.RunId, output);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(journal.Length, written);
        Assert.Equal(journal.Length, lines.Length);
        Assert.Contains(journal, r => r.Event is RolloutRecorded);

        var exported = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var byKey = exported.ToDictionary(e => (e.GetProperty("persistence_id").GetString()!, e.GetProperty("sequence_nr").GetInt64()));
        foreach (var row in journal)
        {
            var line = byKey[(row.PersistenceId, row.SequenceNr)];
            string manifest = line.GetProperty("manifest").GetString()!;
            Assert.Equal(ContractCodec.ManifestOf(row.Event.GetType()), manifest);
            Assert.Equal(row.Event.GetType().Name, line.GetProperty("type").GetString());
            Assert.Equal(1, line.GetProperty("version").GetInt32());
            Assert.True(line.GetProperty("timestamp").TryGetDateTimeOffset(out _));
            var decoded = ContractCodec.Decode(Encoding.UTF8.GetBytes(line.GetProperty("event").GetRawText()), manifest);
            Assert.Equal(ContractCodec.Encode(row.Event), ContractCodec.Encode(decoded));
        }
        // Journal order: offsets increase line by line.
        var offsets = exported.Select(e => e.GetProperty("offset").GetInt64()).ToArray();
        Assert.Equal(offsets.Order(), offsets);
    }

    [Fact]
    public void A_completion_reads_as_it_is_and_still_decodes_to_the_journaled_bytes()
    {
        var recorded = new RolloutRecorded("r/s000001-g0002", new RolloutData(3, [5, 6], [-0.25f, -1.5e-7f], FinishReason.Stop,
            " <think> 37 + 48 = 85, it's \"right\" & <ok> </think> <answer> 85 </answer>\n", 1.2, true, true, "85", 1));
        var e = new JournalEvent("group-r/s000001-g0002", 4, 17, DateTimeOffset.UnixEpoch, ContractCodec.ManifestOf(typeof(RolloutRecorded)), recorded);
        string line = Encoding.UTF8.GetString(JournalExport.Line(e));
        Assert.Contains("<think> 37 + 48 = 85, it's \\\"right\\\" & <ok> </think>", line);
        Assert.DoesNotContain("\\u00", line);
        var exported = JsonDocument.Parse(line).RootElement;
        var decoded = ContractCodec.Decode(Encoding.UTF8.GetBytes(exported.GetProperty("event").GetRawText()), exported.GetProperty("manifest").GetString()!);
        Assert.Equal(ContractCodec.Encode(recorded), ContractCodec.Encode(decoded));
    }
}
