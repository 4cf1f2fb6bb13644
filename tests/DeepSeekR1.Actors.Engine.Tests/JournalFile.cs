using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>Reads a journal database directly (after its writer is gone), decoding each event with the contract codec.</summary>
internal static class JournalFile
{
    public sealed record Row(string PersistenceId, long SequenceNr, object Event);

    /// <summary>A row as the database holds it: the serializer and manifest it was written with, and its bytes.</summary>
    public sealed record StoredRow(string Table, string PersistenceId, long SequenceNr, int? SerializerId, string Manifest, byte[] Bytes);

    public static IReadOnlyList<Row> Read(string dataDirectory) =>
        Events(dataDirectory).Select(r => new Row(r.PersistenceId, r.SequenceNr, ContractCodec.Decode(r.Bytes, r.Manifest))).ToArray();

    /// <summary>Every event not deleted, in journal order, undecoded.</summary>
    public static IReadOnlyList<StoredRow> Events(string dataDirectory) => Query(dataDirectory, "journal",
        "SELECT persistence_id, sequence_number, identifier, manifest, message FROM journal WHERE deleted = 0 ORDER BY ordering");

    /// <summary>Every snapshot, undecoded.</summary>
    public static IReadOnlyList<StoredRow> Snapshots(string dataDirectory) => Query(dataDirectory, "snapshot",
        "SELECT persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot ORDER BY persistence_id, sequence_number");

    /// <summary>Runs <paramref name="sql"/> on the journal (a test's own copy); returns the rows it changed.</summary>
    public static int Execute(string dataDirectory, string sql)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static IReadOnlyList<StoredRow> Query(string dataDirectory, string table, string sql)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<StoredRow>();
        while (reader.Read())
            rows.Add(new StoredRow(table, reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetString(3), (byte[])reader[4]));
        return rows;
    }

    private static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection(EngineConfig.ConnectionString(Path.Combine(dataDirectory, EngineConfig.JournalFileName)));
        connection.Open();
        return connection;
    }
}
