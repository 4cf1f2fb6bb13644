using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// A throwaway PostgreSQL server for the cluster tests: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on
/// a free loopback port (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses to run as
/// root), trust authentication, stopped and deleted at the end. Only the server binaries are needed
/// (<c>apt-get install -y postgresql</c>, as <c>.ci/run</c> does). Each test gets a database of its own.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string User = "postgres";
    private readonly string binaries;
    private readonly string folder;
    private readonly bool asRoot = Environment.UserName == "root";
    private int databases;

    /// <summary>Creates the cluster folder and starts the server.</summary>
    public PostgresServer()
    {
        binaries = FindBinaries();
        folder = Directory.CreateTempSubdirectory("r1-postgres-").FullName;
        Port = FreePort();
        if (asRoot) Run("chown", "-R", User, folder);
        Tool("initdb", "-D", DataFolder, "-A", "trust", "-U", User, "--no-sync", "-E", "UTF8");
        Start();
    }

    /// <summary>The server's loopback port.</summary>
    public int Port { get; }

    private string DataFolder => Path.Combine(folder, "data");

    /// <summary>A new, empty database and its connection string.</summary>
    public string CreateDatabase()
    {
        string name = $"r1_{Environment.ProcessId}_{Interlocked.Increment(ref databases)}";
        using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (connections are cut, as when a database host fails).</summary>
    public void Stop() => Tool("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public void Start()
    {
        Tool("pg_ctl", "-D", DataFolder, "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"),
            "-o", $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        // Pooled connections of this process to the previous incarnation are dead.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public void Dispose()
    {
        try { Stop(); }
        catch (InvalidOperationException) { }   // already stopped
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Timeout=10";

    private void Tool(string name, params string[] arguments)
    {
        string path = Path.Combine(binaries, name);
        if (asRoot) Run("runuser", ["-u", User, "--", path, .. arguments]);
        else Run(path, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr}{stdout.Result}");
    }

    // Debian puts the server binaries under /usr/lib/postgresql/VERSION/bin, off the PATH.
    private static string FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "the cluster tests need a PostgreSQL server's binaries (initdb, pg_ctl) and start their own throwaway server: " +
                "install them with `apt-get install -y postgresql` (Debian 12; .ci/run does this), or put initdb and pg_ctl on the PATH");
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One PostgreSQL server for every cluster test (they run one after another: a collection).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServer>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cluster";
}
