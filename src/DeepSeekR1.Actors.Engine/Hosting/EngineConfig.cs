using DeepSeekR1.Actors.Configuration;
using System.Reflection;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Persistence.Sql;
using DeepSeekR1.Actors.Engine.Cluster;
using Microsoft.Data.Sqlite;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The ActorSystem's configuration: the embedded default (<c>hocon/local.conf</c>) under whatever the caller layers on
/// top, plus the journal's connection string, built here from the data dir because HOCON cannot compute a path.
/// </summary>
public static class EngineConfig
{
    /// <summary>The journal database's file name inside the data dir.</summary>
    public const string JournalFileName = "journal.db";

    /// <summary>
    /// The reference configurations of the plugins and cluster tools, which (unlike Akka's core) are not merged in by
    /// the ActorSystem on their own before first use.
    /// </summary>
    public static Config PluginDefaults { get; } = SqlPersistence.DefaultConfiguration
        .WithFallback(ClusterSharding.DefaultConfig())
        .WithFallback(ClusterSingleton.DefaultConfig())
        .WithFallback(ClusterSingletonProxy.DefaultConfig())
        .WithFallback(DistributedPubSub.DefaultConfig());

    /// <summary>The embedded default, <c>hocon/local.conf</c>.</summary>
    public static Config Default { get; } = Load();

    /// <summary>
    /// The full configuration of a node whose journal lives in <paramref name="dataDirectory"/>: <paramref name="overrides"/>
    /// (may be empty) over the embedded default, with the journal's connection string (the SQLite file
    /// <c>DATA_DIR/journal.db</c>, or a server's from <see cref="ClusterSettings.JournalConnection"/>) and the node's
    /// effective roles (every role when none is configured, so that role-pinned regions start on a single node).
    /// </summary>
    public static Config ForDataDirectory(string dataDirectory, Config? overrides = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var layered = (overrides ?? Config.Empty).WithFallback(Default).WithFallback(PluginDefaults);
        string connection = UsesSqlite(layered)
            ? ConnectionString(Path.Combine(dataDirectory, JournalFileName))
            : ClusterSettings.JournalConnection(layered, layered.GetString("akka.persistence.journal.sql.provider-name"));
        string quoted = Quote(connection);
        string roles = string.Join(", ", ClusterSettings.EffectiveRoles(layered).Select(Quote));
        var computed = ConfigurationFactory.ParseString(string.Join('\n',
            $"akka.persistence.journal.sql.connection-string = {quoted}",
            $"akka.persistence.snapshot-store.sql.connection-string = {quoted}",
            $"akka.persistence.query.journal.sql.connection-string = {quoted}",
            $"akka.cluster.roles = [{roles}]"));
        return computed.WithFallback(layered);
    }

    /// <summary>
    /// Refuses a remoting port that something else already listens on, naming the setting, before the ActorSystem
    /// tries it: Akka's transport would log the bind failure with a stack trace and surface it as nested aggregate
    /// exceptions. Port 0 (any free port, the single-node default) needs no check.
    /// </summary>
    /// <exception cref="ConfigException">The configured host and port cannot be bound.</exception>
    public static void RequireFreeRemotingPort(Config config)
    {
        const string portKey = "akka.remote.dot-netty.tcp.port", hostKey = "akka.remote.dot-netty.tcp.hostname";
        int port = config.GetInt(portKey, 0);
        if (port <= 0) return;
        string host = config.GetString(hostKey, "127.0.0.1");
        var address = System.Net.IPAddress.TryParse(host, out var ip) ? ip
            : host is "" or "0.0.0.0" ? System.Net.IPAddress.Any : System.Net.Dns.GetHostAddresses(host).FirstOrDefault() ?? System.Net.IPAddress.Loopback;
        var probe = new System.Net.Sockets.TcpListener(address, port);
        try { probe.Start(); }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new ConfigException($"{portKey} = {port}: cannot listen on {host}:{port} ({e.Message}); another node may hold it: "
                + "give this one another port (r1 node --port), or 0 for any free port");
        }
        finally { probe.Stop(); }
    }

    /// <summary>Whether the journal of <paramref name="config"/> is a SQLite file (the single-node default).</summary>
    public static bool UsesSqlite(Config config) =>
        config.GetString("akka.persistence.journal.sql.provider-name", "").StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>The connection string of a SQLite journal file (shared cache off, a generous busy timeout).</summary>
    public static string ConnectionString(string databaseFile) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(databaseFile),
        Mode = SqliteOpenMode.ReadWriteCreate,
        // Several plugin connections write one file: wait for the lock instead of failing with SQLITE_BUSY.
        DefaultTimeout = 60,
        Pooling = true,
    }.ToString();

    /// <summary>
    /// Switches the journal file to write-ahead logging (readers no longer block the writer), creating it when missing.
    /// The mode is a property of the file, so once is enough.
    /// </summary>
    public static void PrepareJournalFile(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        string file = Path.Combine(dataDirectory, JournalFileName);
        if (File.Exists(file)) CheckJournalFile(file);
        using var connection = new SqliteConnection(ConnectionString(file));
        try
        {
            connection.Open();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode=WAL;";
                command.ExecuteNonQuery();
            }
            // A write that is rolled back: a journal that cannot be written (a read-only file or mount, a database
            // marked read-only) fails here with its name, instead of every persist failing later while the
            // entities' supervisors restart them forever.
            using var probe = connection.CreateCommand();
            probe.CommandText = "BEGIN IMMEDIATE; CREATE TABLE r1_write_probe(x); ROLLBACK;";
            probe.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            throw new JournalReadOnlyException(Path.GetFullPath(file), e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal).Replace("'", ""));
        }
    }

    /// <summary>
    /// Checks that a SQLite journal file is a whole database (SQLite's <c>quick_check</c>, read-only) before the plugin
    /// opens it: the plugin would report a truncated or overwritten file only as a query timeout, or as
    /// "database disk image is malformed" without the file's name, and an engine could write more to it.
    /// </summary>
    /// <exception cref="JournalDamagedException">The file is not a sound SQLite database; it is left as it was.</exception>
    public static void CheckJournalFile(string file)
    {
        string path = Path.GetFullPath(file);
        string verdict;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1);";
            verdict = command.ExecuteScalar() as string ?? "no answer";
        }
        catch (SqliteException e)
        {
            verdict = e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal).Replace("'", "");
        }
        if (verdict == "ok") return;
        // quick_check answers on several lines ("*** in database main ***", then a page): keep it on one, and short.
        verdict = string.Join("; ", verdict.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        throw new JournalDamagedException(path, verdict.Length > 200 ? verdict[..200] + "..." : verdict);
    }

    // The copy compiled into the configuration layer, the same text every command's defaults are read from.
    private static Config Load() => ConfigurationFactory.ParseString(ShippedDefaults.Text("local.conf"));
}
