using DeepSeekR1.Actors.Engine.Contracts;
using Npgsql;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>Reads a PostgreSQL journal directly (Akka.Persistence.Sql's <c>journal</c> table), decoding each event with the contract codec.</summary>
internal static class PostgresJournal
{
    public static IReadOnlyList<JournalFile.Row> Read(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT persistence_id, sequence_number, manifest, message FROM journal WHERE deleted = false ORDER BY ordering", connection);
        using var reader = command.ExecuteReader();
        var rows = new List<JournalFile.Row>();
        while (reader.Read())
            rows.Add(new JournalFile.Row(reader.GetString(0), reader.GetInt64(1), ContractCodec.Decode((byte[])reader[3], reader.GetString(2))));
        return rows;
    }
}
