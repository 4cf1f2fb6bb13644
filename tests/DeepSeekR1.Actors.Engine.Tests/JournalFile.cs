using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>Reads a journal database directly (after its writer is gone), decoding each event with the contract codec.</summary>
internal static class JournalFile
{
    public sealed record Row(string PersistenceId, long SequenceNr, object Event);

    public static IReadOnlyList<Row> Read(string dataDirectory)
    {
        using var connection = new SqliteConnection(EngineConfig.ConnectionString(Path.Combine(dataDirectory, EngineConfig.JournalFileName)));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id, sequence_number, manifest, message FROM journal WHERE deleted = 0 ORDER BY ordering";
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
            rows.Add(new Row(reader.GetString(0), reader.GetInt64(1), ContractCodec.Decode((byte[])reader[3], reader.GetString(2))));
        return rows;
    }
}
